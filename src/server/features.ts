/**
 * The standard LSP features over the current analysis: inlay hints at the end of hot lines,
 * hovers, code lenses above handlers, and the "Add a span here" code action. Each reads the
 * marks of the document and maps lines through the edits made since it was opened.
 */
import {
  CodeActionKind,
  InlayHintKind,
  MarkupKind,
  type CodeAction,
  type CodeActionParams,
  type CodeLens,
  type CodeLensParams,
  type Hover,
  type HoverParams,
  type InlayHint,
  type InlayHintParams,
} from 'vscode-languageserver';

import type { HotLine } from '../core/model';
import type { DocumentStore } from './documents';
import { hotLineHover } from './hover';
import { endpointLenses } from './lenses';
import type { MarkedLine, MarksByFile } from './marks';
import type { SessionHost } from './sessionHost';
import { wrapInSpan } from './spanAction';

/** What the features read: the session, its marks, and the open documents. */
export interface FeatureContext {
  host: SessionHost;
  marks(): MarksByFile;
  documents: DocumentStore;
}

/** Inlay hints at the end of each marked line in the requested range. */
export function provideInlayHints(context: FeatureContext, params: InlayHintParams): InlayHint[] {
  const uri = params.textDocument.uri;
  const document = context.documents.get(uri);
  const hints: InlayHint[] = [];
  for (const { mark } of context.marks().get(uri)?.values() ?? []) {
    const current = context.documents.currentLine(uri, mark.line);
    if (current === undefined) continue;

    const line = current - 1;
    if (line < params.range.start.line || line > params.range.end.line) continue;
    const character = document ? lineText(document.getText(), line).length : 0;
    hints.push({
      position: { line, character },
      label: mark.label,
      kind: InlayHintKind.Type,
      paddingLeft: true,
    });
  }
  return hints;
}

/** The breakdown of the hot line under the cursor. */
export function provideHover(context: FeatureContext, params: HoverParams): Hover | null {
  const analysis = context.host.analysis;
  const marked = markedLineAt(context, params.textDocument.uri, params.position.line);
  if (!analysis || !marked) return null;

  return { contents: { kind: MarkupKind.Markdown, value: hotLineHover(analysis, marked.entries) } };
}

/** Lenses above the handlers of the analysed endpoints. */
export function provideCodeLenses(context: FeatureContext, params: CodeLensParams): CodeLens[] {
  const analysis = context.host.analysis;
  const document = context.documents.get(params.textDocument.uri);
  if (!analysis || !document) return [];

  return endpointLenses(analysis, document.getText());
}

/** "Add a span here" on a marked line that filled an untraced gap. */
export function provideCodeActions(
  context: FeatureContext,
  params: CodeActionParams,
): CodeAction[] {
  const uri = params.textDocument.uri;
  const document = context.documents.get(uri);
  if (!document) return [];

  const { start, end } = params.range;
  for (let line = start.line; line <= end.line; line++) {
    const marked = markedLineAt(context, uri, line);
    if (!marked?.mark.untraced) continue;

    const firstLine = Math.min(start.line, line);
    const lastLine = end.line > start.line && end.character === 0 ? end.line - 1 : end.line;
    const edits = wrapInSpan({
      text: document.getText(),
      startLine: firstLine,
      endLine: Math.max(firstLine, lastLine),
      spanName: suggestSpanName(marked.entries[0]!),
    });
    return [
      {
        title: 'Add a span here',
        kind: CodeActionKind.RefactorRewrite,
        edit: { changes: { [uri]: edits } },
      },
    ];
  }
  return [];
}

/** `verifyPassword.pbkdf2Sync`: the function, and what took the time below it. */
export function suggestSpanName(line: HotLine): string {
  const inner = [...line.innerFrames].sort((a, b) => b.ms - a.ms)[0]?.name;
  const what = inner?.split('.').pop();
  const fn = line.functionName && line.functionName !== '(anonymous)' ? line.functionName : '';
  return [fn, what].filter(Boolean).join('.') || `line ${line.line}`;
}

function markedLineAt(context: FeatureContext, uri: string, line: number): MarkedLine | undefined {
  const lines = context.marks().get(uri);
  if (!lines) return undefined;

  const measured = context.documents.measuredLine(uri, line, lines.keys());
  return measured === undefined ? undefined : lines.get(measured);
}

function lineText(text: string, line: number): string {
  let start = 0;
  for (let index = 0; index < line; index++) {
    const next = text.indexOf('\n', start);
    if (next < 0) return '';
    start = next + 1;
  }
  const end = text.indexOf('\n', start);
  return text.slice(start, end < 0 ? undefined : end).replace(/\r$/, '');
}
