import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';

import { wrapInSpan } from './spanAction';

function apply(text: string, startLine: number, endLine = startLine): string {
  const document = TextDocument.create('file:///x.ts', 'typescript', 1, text);
  const edits = wrapInSpan({ text, startLine, endLine, spanName: 'verifyPassword.pbkdf2Sync' });
  return TextDocument.applyEdits(document, edits);
}

const auth = [
  "import crypto from 'node:crypto';",
  '',
  'export function verifyPassword(attempt: string, credential: Credential): boolean {',
  "  const digest = crypto.pbkdf2Sync(attempt, credential.salt, 600000, 32, 'sha256');",
  '  return crypto.timingSafeEqual(digest, credential.digest);',
  '}',
].join('\n');

test('a declaration keeps its name, the span returns the value, and a tracer is set up', () => {
  const result = apply(auth, 3);

  assert.equal(
    result,
    [
      "import crypto from 'node:crypto';",
      "import { trace } from '@opentelemetry/api';",
      "const tracer = trace.getTracer('gapscope-suggested');",
      '',
      'export function verifyPassword(attempt: string, credential: Credential): boolean {',
      "  const digest = tracer.startActiveSpan('verifyPassword.pbkdf2Sync', span => {",
      '    try {',
      "      return crypto.pbkdf2Sync(attempt, credential.salt, 600000, 32, 'sha256');",
      '    } finally {',
      '      span.end();',
      '    }',
      '  });',
      '  return crypto.timingSafeEqual(digest, credential.digest);',
      '}',
    ].join('\n'),
  );
});

test('an existing tracer is reused and awaited statements get an async callback', () => {
  const text = [
    "import { trace } from '@opentelemetry/api';",
    "const appTracer = trace.getTracer('app');",
    'async function f() {',
    '  await store.set(key,',
    '    value);',
    '  done();',
    '}',
  ].join('\n');
  const result = apply(text, 3);

  assert.match(
    result,
    /^  await appTracer\.startActiveSpan\('verifyPassword\.pbkdf2Sync', async span => \{$/m,
  );
  assert.match(result, /^      await store\.set\(key,\n        value\);$/m);
  assert.match(result, /^      span\.end\(\);\n    \}\n  \}\);\n  done\(\);$/m);
  assert.equal(result.match(/getTracer/g)?.length, 1);
});

test('a file that imports Sentry gets Sentry.startSpan', () => {
  const text = [
    "import * as Sentry from '@sentry/node';",
    'function f() {',
    '  return zlib.gzipSync(data);',
    '}',
  ].join('\n');
  const result = apply(text, 2);

  assert.match(
    result,
    new RegExp(
      String.raw`^  return Sentry\.startSpan\(\{ name: 'verifyPassword\.pbkdf2Sync' \}, ` +
        String.raw`\(\) => \{\n` +
        String.raw`    return zlib\.gzipSync\(data\);\n  \}\);$`,
      'm',
    ),
  );
  assert.doesNotMatch(result, /opentelemetry/);
});
