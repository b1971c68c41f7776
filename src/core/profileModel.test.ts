import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildProfileModel, selectNth } from './profileModel';
import { makeProfile } from './testSessions';

/** Deterministic values in [0, range). */
function values(count: number, range: number, seed: number): Float64Array {
  const result = new Float64Array(count);
  let state = seed;
  for (let i = 0; i < count; i++) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    result[i] = state % range;
  }
  return result;
}

describe('selectNth', () => {
  it('finds the value a sort would put at each rank, with and without duplicates', () => {
    for (const [count, range] of [
      [1, 10],
      [2, 10],
      [101, 5],
      [1000, 1_000_000],
      [1000, 1],
    ] as const) {
      const input = values(count, range, count + range);
      const sorted = Float64Array.from(input).sort();
      for (const nth of [0, count >> 2, count >> 1, count - 1]) {
        assert.equal(selectNth(Float64Array.from(input), nth), sorted[nth], `${count}/${range}`);
      }
    }
  });

  it('stays correct on sorted and reversed input', () => {
    const sorted = Float64Array.from({ length: 501 }, (_, i) => i);
    assert.equal(selectNth(Float64Array.from(sorted), 250), 250);
    assert.equal(selectNth(Float64Array.from(sorted).reverse(), 250), 250);
  });
});

describe('buildProfileModel', () => {
  it('maps sparse and dense node ids to the same nodes', () => {
    const nodes = [
      { id: 1, functionName: '(root)' },
      { id: 2, parent: 1, functionName: 'a', url: 'file:///a.js' },
    ];
    const sparse = [
      { id: 1, functionName: '(root)' },
      { id: 9_000_000, parent: 1, functionName: 'a', url: 'file:///a.js' },
    ];

    const dense = buildProfileModel([makeProfile(nodes, [2, 1, 2], 100)]);
    const wide = buildProfileModel([makeProfile(sparse, [9_000_000, 1, 9_000_000], 100)]);

    assert.deepEqual([...dense.sampleNode], [1, 0, 1]);
    assert.deepEqual([...wide.sampleNode], [1, 0, 1]);
    assert.equal(dense.medianIntervalUs, 100);
  });
});
