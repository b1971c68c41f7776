// Runs the whole suite with Node's own test runner: unit tests beside the sources
// (`src/**/*.test.ts`) and integration tests under `test/` (`*.test.ts`).
// Files run one at a time: the integration tests put real services under real load, and on a
// shared 2-core machine parallel files would measure each other.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function findTests(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'fixtures') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) findTests(path, out);
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/**
 * Installs what the tests need from Debian's packages (Chromium for the timeline, redis-server
 * for a socket-wait case). Each script does nothing when its package is already there, so a
 * warm machine pays nothing; the VS Code end-to-end test installs its own tools on first use.
 */
function ensureSystemPackages() {
  for (const script of ['scripts/ensure-chromium.sh', 'scripts/ensure-redis.sh']) {
    const run = spawnSync('bash', [script], { stdio: 'inherit' });
    if (run.status !== 0) {
      console.error(`${script} failed (exit ${run.status}); the tests need what it installs.`);
      process.exit(1);
    }
  }
}

const filter = process.argv.slice(2);
ensureSystemPackages();
let files = [...findTests('src'), ...findTests('test')].sort();
if (filter.length) files = files.filter(f => filter.some(part => f.includes(part)));

const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, GAPSCOPE_STRICT: '1' } },
);
process.exit(result.status ?? 1);
