import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { MethodKinds, Methods } from './protocol';

/** Rows of the custom-message table in docs/protocol.md: method name and direction. */
function documentedMethods(): Map<string, string> {
  const text = readFileSync(join(__dirname, '../../docs/protocol.md'), 'utf8');
  const rows = new Map<string, string>();
  for (const match of text.matchAll(/^\| `(gapscope\/\w+)` *\| ([^|]+)\|/gm)) {
    rows.set(match[1]!, match[2]!.trim());
  }
  return rows;
}

test('docs/protocol.md lists exactly the methods of protocol.ts, with their direction', () => {
  const documented = documentedMethods();
  const declared = new Map(
    Object.entries(Methods).map(([key, method]) => [
      method,
      MethodKinds[key as keyof typeof Methods],
    ]),
  );

  assert.deepEqual([...documented.keys()].sort(), [...declared.keys()].sort());
  for (const [method, kind] of declared) assert.equal(documented.get(method), kind, method);
});

test('every method name carries the gapscope/ prefix and is unique', () => {
  const names = Object.values(Methods);

  assert.equal(new Set(names).size, names.length);
  for (const name of names) assert.match(name, /^gapscope\/[a-z][A-Za-z]+$/);
});
