/**
 * The open documents the client synchronises (incrementally), and where each measured line of
 * them is now: every edit since a document was opened moves or drops its marks (see
 * shared/lineMap.ts). Measured lines are those of the file the target runs, which is the file as
 * it was when the editor opened it.
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import type {
  DidChangeTextDocumentParams,
  DidCloseTextDocumentParams,
  DidOpenTextDocumentParams,
} from 'vscode-languageserver';

import { LineMap, toLineEdit } from '../shared/lineMap';

export class DocumentStore {
  private readonly documents = new Map<string, { document: TextDocument; lines: LineMap }>();

  open(params: DidOpenTextDocumentParams): void {
    const { uri, languageId, version, text } = params.textDocument;
    this.documents.set(uri, {
      document: TextDocument.create(uri, languageId, version, text),
      lines: new LineMap(),
    });
  }

  change(params: DidChangeTextDocumentParams): void {
    const entry = this.documents.get(params.textDocument.uri);
    if (!entry) return;

    for (const change of params.contentChanges) {
      if ('range' in change) {
        entry.lines.apply(toLineEdit(change.range.start, change.range.end, change.text));
      } else {
        // A full-text change says nothing about which lines moved: treat it as a fresh file.
        entry.lines = new LineMap();
      }
    }
    entry.document = TextDocument.update(
      entry.document,
      params.contentChanges,
      params.textDocument.version,
    );
  }

  close(params: DidCloseTextDocumentParams): void {
    this.documents.delete(params.textDocument.uri);
  }

  get(uri: string): TextDocument | undefined {
    return this.documents.get(uri)?.document;
  }

  /** The current 1-based line of a measured 1-based line, or undefined when edited away. */
  currentLine(uri: string, measuredLine: number): number | undefined {
    const entry = this.documents.get(uri);
    if (!entry) return measuredLine;

    const current = entry.lines.current(measuredLine - 1);
    return current === undefined ? undefined : current + 1;
  }

  /** The measured 1-based line now shown at the current 0-based `line`, among `measured`. */
  measuredLine(uri: string, line: number, measured: Iterable<number>): number | undefined {
    const entry = this.documents.get(uri);
    if (!entry) return line + 1;

    const zeroBased = [...measured].map(candidate => candidate - 1);
    const original = entry.lines.original(line, zeroBased);
    return original === undefined ? undefined : original + 1;
  }
}
