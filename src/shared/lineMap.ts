/**
 * Keeps marks on the right lines while the user edits: a line below an edit shifts by the lines
 * the edit added or removed; a line the edit touched is dropped (its measured time belongs to
 * code that is gone). Pure, shared by the server (hints, hovers) and the extension
 * (decorations between two updates).
 *
 * Lines here are 0-based, as in LSP and VS Code ranges.
 */

/** One text change as LSP and VS Code report it: the replaced range and the new text. */
export interface LineEdit {
  /** First replaced line, 0-based. */
  startLine: number;
  /** Last replaced line, 0-based (equal to `startLine` for an edit within one line). */
  endLine: number;
  /** Number of line breaks in the inserted text. */
  insertedLineBreaks: number;
  /**
   * True when the edit only inserted whole lines at the very start of `startLine` (the range is
   * empty, at column 0, and the text ends with a line break): that line's content moves down
   * unchanged instead of being changed.
   */
  insertsWholeLinesBefore: boolean;
}

/** Where a line went after an edit: its new 0-based number, or undefined when it was changed. */
export function mapLineThroughEdit(line: number, edit: LineEdit): number | undefined {
  if (line < edit.startLine) return line;

  const delta = edit.insertedLineBreaks - (edit.endLine - edit.startLine);
  if (line === edit.startLine && edit.insertsWholeLinesBefore) return line + delta;
  if (line <= edit.endLine) return undefined;

  return line + delta;
}

/** Builds a LineEdit from a range and its replacement text. */
export function toLineEdit(
  start: { line: number; character: number },
  end: { line: number; character: number },
  text: string,
): LineEdit {
  const insertedLineBreaks = countLineBreaks(text);
  const emptyRange = start.line === end.line && start.character === end.character;
  return {
    startLine: start.line,
    endLine: end.line,
    insertedLineBreaks,
    insertsWholeLinesBefore:
      emptyRange && start.character === 0 && insertedLineBreaks > 0 && /\n$/.test(text),
  };
}

function countLineBreaks(text: string): number {
  let count = 0;
  for (let index = text.indexOf('\n'); index >= 0; index = text.indexOf('\n', index + 1)) {
    count++;
  }
  return count;
}

/**
 * Maps original line numbers (as measured) to the lines of the edited document. Feed it every
 * edit in order; ask it where an original line is now.
 */
export class LineMap {
  /** original 0-based line -> current 0-based line; a missing key means unchanged so far. */
  private readonly moved = new Map<number, number | undefined>();
  private readonly edits: LineEdit[] = [];

  /** Records an edit (in the order the editor applied them). */
  apply(edit: LineEdit): void {
    this.edits.push(edit);
    this.moved.clear();
  }

  /** True when no edit was recorded: every line is where it was measured. */
  get isIdentity(): boolean {
    return this.edits.length === 0;
  }

  /** The current 0-based line of an original line, or undefined when an edit changed it. */
  current(originalLine: number): number | undefined {
    if (this.moved.has(originalLine)) return this.moved.get(originalLine);

    let line: number | undefined = originalLine;
    for (const edit of this.edits) {
      line = mapLineThroughEdit(line, edit);
      if (line === undefined) break;
    }
    this.moved.set(originalLine, line);
    return line;
  }

  /** The original line now shown at `currentLine`, or undefined when none maps there. */
  original(currentLine: number, candidates: Iterable<number>): number | undefined {
    for (const candidate of candidates) {
      if (this.current(candidate) === currentLine) return candidate;
    }
    return undefined;
  }
}
