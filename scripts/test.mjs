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

const filter = process.argv.slice(2);
let files = [...findTests('src'), ...findTests('test')].sort();
if (filter.length) files = files.filter(f => filter.some(part => f.includes(part)));

const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, GAPSCOPE_STRICT: '1' } },
);
process.exit(result.status ?? 1);
