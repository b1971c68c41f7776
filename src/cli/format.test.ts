import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { displayPath, ellipsize, formatMs, formatShare, median, shortenQualified } from './format';

describe('format', () => {
  it('shows paths inside cwd relative, others unchanged', () => {
    assert.equal(displayPath('/srv/app/src/a.ts', '/srv/app'), 'src/a.ts');
    assert.equal(displayPath('file:///srv/app/src/a.ts', '/srv/app'), 'src/a.ts');
    assert.equal(displayPath('/srv/other/a.ts', '/srv/app'), '/srv/other/a.ts');
    assert.equal(displayPath('/srv/application/a.ts', '/srv/app'), '/srv/application/a.ts');
    assert.equal(displayPath('node:internal/crypto', '/srv/app'), 'node:internal/crypto');
  });

  it('formats milliseconds and shares by size, never NaN', () => {
    assert.equal(formatMs(286.4), '286');
    assert.equal(formatMs(12.34), '12.3');
    assert.equal(formatMs(0.423), '0.42');
    assert.equal(formatMs(NaN), '–');
    assert.equal(formatShare(0.914), '91%');
    assert.equal(formatShare(0.001), '<1%');
    assert.equal(formatShare(NaN), '–');
  });

  it('shortens in the middle and takes medians', () => {
    assert.equal(ellipsize('abcdefghij', 5), 'ab…ij');
    assert.equal(
      shortenQualified('@opentelemetry/sdk-trace.startActiveSpan', 18),
      '…startActiveSpan',
    );
    assert.equal(shortenQualified('streams.Writable.write', 16), '…Writable.write');
    assert.equal(shortenQualified('crypto.pbkdf2Sync', 20), 'crypto.pbkdf2Sync');
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 2, 3]), 2.5);
    assert.equal(median([]), undefined);
  });
});
