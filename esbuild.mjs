// Bundles every entry point of Gapscope. Entry points that do not exist yet are skipped, so each
// layer can land on its own.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** @type {esbuild.BuildOptions[]} */
const builds = [
  {
    // The command-line interface (and the demo orchestration behind `npm start`).
    entryPoints: { cli: 'src/cli/main.ts' },
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    // The agent injected into the target with Runtime.evaluate. It must be one self-contained
    // script: the target's `require` exists only while that evaluate runs.
    entryPoints: { agent: 'src/inspector/agent/agent.ts' },
    platform: 'node',
    format: 'iife',
    globalName: '__gapscopeAgent',
    target: 'node18',
  },
  {
    entryPoints: { server: 'src/server/main.ts' },
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    entryPoints: { extension: 'src/extension/main.ts' },
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
  {
    entryPoints: { webview: 'webview/main.ts' },
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
];

const common = {
  bundle: true,
  outdir: 'dist',
  sourcemap: true,
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

/**
 * The codicon font and its stylesheet, copied next to the bundles: `@vscode/codicons` is a dev
 * dependency and the .vsix ships `dist/`, not `node_modules/`. The stylesheet loads the font by
 * a relative URL, so both land in one folder under the webview's resource roots.
 */
function copyCodicons() {
  const from = 'node_modules/@vscode/codicons/dist';
  const to = 'dist/codicons';
  if (!existsSync(from)) {
    if (production) throw new Error(`${from} is missing: the package would ship without icons`);
    console.warn(`${from} is missing: the timeline will show no icons`);
    return;
  }
  mkdirSync(to, { recursive: true });
  for (const file of ['codicon.css', 'codicon.ttf'])
    copyFileSync(`${from}/${file}`, `${to}/${file}`);
}

copyCodicons();
const present = builds.filter(b => Object.values(b.entryPoints).every(f => existsSync(f)));
if (watch) {
  for (const b of present) await (await esbuild.context({ ...common, ...b })).watch();
} else {
  await Promise.all(present.map(b => esbuild.build({ ...common, ...b })));
}
