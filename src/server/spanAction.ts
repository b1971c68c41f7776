/**
 * "Add a span here": wraps the lines that filled an untraced gap in a span of the tracer the
 * file already uses, so the next trace names that time. OpenTelemetry's `startActiveSpan` by
 * default, Sentry's `startSpan` when the file imports `@sentry/*`. A declaration or a `return`
 * keeps its meaning (`const digest = tracer.startActiveSpan('…', span => { … return … })`).
 * Pure text in, text edits out.
 */
import type { TextEdit } from 'vscode-languageserver';

/** Which tracer API the edit calls. */
export type TracerKind = 'opentelemetry' | 'sentry';

export interface SpanWrapRequest {
  text: string;
  /** First and last line to wrap, 0-based, inclusive (widened to whole statements). */
  startLine: number;
  endLine: number;
  /** The span name to suggest, e.g. `verifyPassword.pbkdf2Sync`. */
  spanName: string;
}

/** The tracer the file uses and the expression to call it through. */
interface TracerUse {
  kind: TracerKind;
  /** `tracer`, or `Sentry`. */
  identifier: string;
  /** Edits that make `identifier` exist (an import and a tracer), if the file lacks it. */
  setup: TextEdit[];
}

/** The edits that wrap the lines in a span. */
export function wrapInSpan(request: SpanWrapRequest): TextEdit[] {
  const lines = request.text.split('\n');
  const endLine = widenToStatementEnd(lines, request.startLine, request.endLine);
  const block = lines.slice(request.startLine, endLine + 1).map(line => line.replace(/\r$/, ''));
  const indent = /^\s*/.exec(block[0] ?? '')![0];
  const tracer = findTracer(request.text, lines);
  const body = wrapBlock(block, indent, tracer, request.spanName);

  const lastLength = (lines[endLine] ?? '').replace(/\r$/, '').length;
  const range = {
    start: { line: request.startLine, character: 0 },
    end: { line: endLine, character: lastLength },
  };
  return [...tracer.setup, { range, newText: body }];
}

/** Extends the range until brackets balance, so a multi-line call is wrapped whole. */
function widenToStatementEnd(lines: string[], startLine: number, endLine: number): number {
  let depth = 0;
  let line = startLine;
  for (; line < lines.length; line++) {
    depth += bracketBalance(lines[line]!);
    if (line >= endLine && depth <= 0) break;
  }
  return Math.min(line, lines.length - 1);
}

function bracketBalance(line: string): number {
  const code = line.replace(/(['"`])(?:\\.|(?!\1).)*\1/g, '').replace(/\/\/.*$/, '');
  let balance = 0;
  for (const char of code) {
    if ('([{'.includes(char)) balance++;
    else if (')]}'.includes(char)) balance--;
  }
  return balance;
}

function wrapBlock(block: string[], indent: string, tracer: TracerUse, name: string): string {
  const joined = block.map(line => line.trim()).join('\n');
  const isAsync = /\bawait\b/.test(joined);
  const open = spanOpen(tracer, name, isAsync);
  const close = '})';
  const single = /^(const|let|var)\s+([^=]+?)\s*=\s*([\s\S]+?);?$/.exec(joined);
  const returned = /^return\s+([\s\S]+?);?$/.exec(joined);
  const inner = indent + '  ';

  if (single || returned) {
    const expression = single ? single[3]! : returned![1]!;
    const head = single ? `${single[1]} ${single[2]} = ` : 'return ';
    const bodyLines = returnLines(tracer, expression, inner);
    return [
      `${indent}${head}${isAsync ? 'await ' : ''}${open}`,
      ...bodyLines,
      `${indent}${close};`,
    ].join('\n');
  }

  const original = block.map(line => reindent(line, indent, tracer.kind === 'sentry' ? 1 : 2));
  const bodyLines =
    tracer.kind === 'sentry'
      ? original
      : [`${inner}try {`, ...original, `${inner}} finally {`, `${inner}  span.end();`, `${inner}}`];
  return [`${indent}${isAsync ? 'await ' : ''}${open}`, ...bodyLines, `${indent}${close};`].join(
    '\n',
  );
}

function spanOpen(tracer: TracerUse, name: string, isAsync: boolean): string {
  const quoted = JSON.stringify(name).replace(/^"|"$/g, "'").replace(/\\"/g, '"');
  const callback = isAsync ? 'async ' : '';
  if (tracer.kind === 'sentry') {
    return `${tracer.identifier}.startSpan({ name: ${quoted} }, ${callback}() => {`;
  }
  return `${tracer.identifier}.startActiveSpan(${quoted}, ${callback}span => {`;
}

function returnLines(tracer: TracerUse, expression: string, inner: string): string[] {
  const value = expression.split('\n').join(`\n${inner}  `);
  if (tracer.kind === 'sentry') return [`${inner}return ${value};`];
  return [
    `${inner}try {`,
    `${inner}  return ${value};`,
    `${inner}} finally {`,
    `${inner}  span.end();`,
    `${inner}}`,
  ];
}

/** Indents a line `levels` steps of two spaces deeper than `indent`. */
function reindent(line: string, indent: string, levels: number): string {
  const trimmed = line.replace(/\r$/, '');
  if (!trimmed.trim()) return '';
  const rest = trimmed.startsWith(indent) ? trimmed.slice(indent.length) : trimmed.trimStart();
  return indent + '  '.repeat(levels) + rest;
}

/** Which tracer the file uses, and the edits that make one available if none is. */
function findTracer(text: string, lines: string[]): TracerUse {
  const sentry =
    /import\s+\*\s+as\s+(\w+)\s+from\s+['"]@sentry\//.exec(text) ??
    /(?:const|let|var)\s+(\w+)\s*=\s*require\(\s*['"]@sentry\//.exec(text);
  if (sentry) return { kind: 'sentry', identifier: sentry[1]!, setup: [] };

  const declared = /(?:const|let|var)\s+(\w+)\s*(?::\s*\w+\s*)?=\s*[\w.]*getTracer\(/.exec(text);
  if (declared) return { kind: 'opentelemetry', identifier: declared[1]!, setup: [] };

  const member = /(this\.\w*[tT]racer)\b\.startActiveSpan/.exec(text);
  if (member) return { kind: 'opentelemetry', identifier: member[1]!, setup: [] };

  return { kind: 'opentelemetry', identifier: 'tracer', setup: tracerSetup(text, lines) };
}

/** Adds `import { trace }` (or a require) after the last import, and a module-level tracer. */
function tracerSetup(text: string, lines: string[]): TextEdit[] {
  const usesRequire = !/^\s*import\s/m.test(text) && /\brequire\(/.test(text);
  const hasTraceImport =
    /import\s*\{[^}]*\btrace\b[^}]*\}\s*from\s*['"]@opentelemetry\/api['"]/.test(text);
  const lastImport = lastImportLine(lines);
  const at = { line: lastImport + 1, character: 0 };
  const importLine = usesRequire
    ? "const { trace } = require('@opentelemetry/api');\n"
    : "import { trace } from '@opentelemetry/api';\n";
  const tracerLine = "const tracer = trace.getTracer('gapscope-suggested');\n";
  return [
    { range: { start: at, end: at }, newText: (hasTraceImport ? '' : importLine) + tracerLine },
  ];
}

function lastImportLine(lines: string[]): number {
  let last = -1;
  lines.forEach((line, index) => {
    const isImport = /^\s*import\s.*from\s|^\s*import\s+['"]|^\}\s*from\s+['"]/.test(line);
    if (isImport || /^(?:const|let|var)\s.*=\s*require\(/.test(line)) {
      last = index;
    }
  });
  return last;
}
