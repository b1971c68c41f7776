import assert from 'node:assert/strict';
import { test } from 'node:test';

import { LineMap, mapLineThroughEdit, toLineEdit } from './lineMap';

test('lines above an edit stay, lines below shift by the inserted lines', () => {
  const edit = toLineEdit({ line: 5, character: 3 }, { line: 5, character: 3 }, 'a\nb\n');

  assert.equal(mapLineThroughEdit(2, edit), 2);
  assert.equal(mapLineThroughEdit(9, edit), 11);
});

test('the line an edit changes is dropped', () => {
  const edit = toLineEdit({ line: 5, character: 3 }, { line: 5, character: 7 }, 'x');

  assert.equal(mapLineThroughEdit(5, edit), undefined);
  assert.equal(mapLineThroughEdit(6, edit), 6);
});

test('whole lines inserted at the start of a line move it down unchanged', () => {
  const edit = toLineEdit({ line: 5, character: 0 }, { line: 5, character: 0 }, '// note\n');

  assert.equal(mapLineThroughEdit(5, edit), 6);
});

test('deleting lines drops them and pulls the rest up', () => {
  const edit = toLineEdit({ line: 3, character: 0 }, { line: 6, character: 0 }, '');

  assert.equal(mapLineThroughEdit(4, edit), undefined);
  assert.equal(mapLineThroughEdit(10, edit), 7);
});

test('LineMap composes edits in order and finds the original line of a current one', () => {
  const map = new LineMap();
  map.apply(toLineEdit({ line: 0, character: 0 }, { line: 0, character: 0 }, 'x\ny\n'));
  map.apply(toLineEdit({ line: 13, character: 1 }, { line: 13, character: 2 }, 'z'));

  assert.equal(map.current(10), 12);
  assert.equal(map.current(11), undefined);
  assert.equal(map.current(20), 22);
  assert.equal(map.original(22, [5, 20, 30]), 20);
  assert.equal(map.original(12, [10]), 10);
});

test('a changed line stays dropped after later edits', () => {
  const map = new LineMap();
  map.apply(toLineEdit({ line: 4, character: 2 }, { line: 4, character: 3 }, ''));
  map.apply(toLineEdit({ line: 0, character: 0 }, { line: 0, character: 0 }, '\n'));

  assert.equal(map.current(4), undefined);
  assert.equal(map.current(5), 6);
});
