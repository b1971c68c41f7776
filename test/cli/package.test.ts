/**
 * What the .vsix ships: the bundles the extension loads and nothing of the CLI or the docs, with
 * a user-facing readme; and `npm run package` leaves the dev bundles in dist/ as they were.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from './helpers';

const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

test('the .vsix holds what the extension loads, not the CLI or the screenshots', () => {
  const vsce = path.join(REPO_ROOT, 'node_modules', '.bin', 'vsce');
  const listed = spawnSync(vsce, ['ls', '--no-dependencies'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(listed.status, 0, listed.stderr);
  const files = listed.stdout
    .split('\n')
    .map(line => line.trim())
    .filter(Boolean);

  for (const needed of [
    'dist/extension.js',
    'dist/server.js',
    'dist/agent.js',
    'dist/webview.js',
    'dist/codicons/codicon.css',
    'dist/codicons/codicon.ttf',
    'media/icon.png',
    'media/timeline.css',
  ]) {
    assert.ok(files.includes(needed), `${needed} missing from:\n${listed.stdout}`);
  }
  assert.ok(!files.includes('dist/cli.js'), 'the CLI bundle is shipped');
  assert.ok(!files.some(file => /\.png$/.test(file) && file !== 'media/icon.png'), 'screenshots');
  assert.ok(!files.some(file => file.endsWith('.map')), 'source maps are shipped');
});

test('the package gets its own readme, without links into the repository', () => {
  const script = manifest.scripts.package ?? '';
  const match = /--readme-path (\S+)/.exec(script);
  assert.ok(match, script);

  const readme = readFileSync(path.join(REPO_ROOT, match[1]!), 'utf8');
  assert.doesNotMatch(readme, /npm (install|start|test)/, 'developer instructions');
  const links = [...readme.matchAll(/\]\(([^)]+)\)/g)].map(link => link[1]!);
  assert.deepEqual(
    links.filter(link => !/^https:\/\//.test(link)),
    [],
    'relative links break in the marketplace',
  );
});

test('npm run package rebuilds the dev bundles after the minified ones, even on failure', () => {
  const script = manifest.scripts.package ?? '';
  const production = script.indexOf('esbuild.mjs --production');
  const vsce = script.indexOf('vsce package');
  const rebuild = script.lastIndexOf('node esbuild.mjs');

  assert.ok(production >= 0 && vsce > production && rebuild > vsce, script);
  // `;` (not `&&`) before the rebuild: a failed vsce still restores dist/, and its status wins.
  assert.match(script.slice(vsce, rebuild), /; *status=\$\?; *$/);
});
