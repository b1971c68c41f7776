/**
 * Helpers for the waits tests: the fixture's marked lines, a capture in `waits` tracking
 * around a scenario, and lookups into the analysis.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeSession } from '../../src/core/analyze';
import type { Analysis, GapCause, RequestAnalysis } from '../../src/core/model';
import type { SessionFile } from '../../src/core/session';
import { attachToTarget } from '../../src/inspector/attach';
import { startCapture } from '../../src/inspector/capture';
import { startFixture, type Fixture, type FixtureOptions } from '../inspector/helpers';

export const WAITS_FIXTURES = join(__dirname, '..', 'fixtures', 'waits');

/** The 1-based line of `// @wait:NAME` in a fixture file, and the file's path. */
export function markedLine(file: string, name: string): { file: string; line: number } {
  const path = join(WAITS_FIXTURES, file);
  const lines = readFileSync(path, 'utf8').split('\n');
  const index = lines.findIndex(line => line.includes(`// @wait:${name}`));
  assert.ok(index >= 0, `no @wait:${name} marker in ${file}`);
  return { file: path, line: index + 1 };
}

/** What a scenario run produced. */
export interface Captured {
  session: SessionFile;
  analysis: Analysis;
}

/**
 * Starts the waits fixture, attaches, captures in `tracking` (`waits` unless told) while
 * `scenario` runs, then stops, detaches and stops the fixture (also when something fails).
 */
export async function captureScenario(
  scenario: (port: number) => Promise<void>,
  options: FixtureOptions = {},
  tracking: 'waits' | 'windows' = 'waits',
): Promise<Captured> {
  let session: SessionFile | undefined;
  const fixture: Fixture = await startFixture('../waits/server.js', options);
  try {
    const attached = await attachToTarget({ kind: 'pid', pid: fixture.pid });
    assert.ok(attached.ok, JSON.stringify(!attached.ok && attached.error));
    try {
      // Waits are for targeted captures, sampled finer than the 10 ms default.
      const capture = await startCapture(attached.value, { tracking, samplingIntervalUs: 1000 });
      try {
        await scenario(fixture.port);
      } finally {
        session = await capture.stop();
      }
    } finally {
      await attached.value.detach();
    }
  } finally {
    await fixture.stop();
  }
  const readFile = (path: string) => readFileSync(path, 'utf8');
  return { session, analysis: analyzeSession(session, { readFile }) };
}

/** The one analysed request with this URL. */
export function requestOf(analysis: Analysis, url: string): RequestAnalysis {
  const found = analysis.requests.filter(request => request.url === url);
  assert.equal(found.length, 1, `one request ${url}: ${analysis.requests.map(r => r.url)}`);
  return found[0]!;
}

/** All gap causes of a request. */
export function causesOf(request: RequestAnalysis): GapCause[] {
  return request.gaps.flatMap(gap => gap.causes);
}

/** Total ms of the causes that match. */
export function msOf(request: RequestAnalysis, match: (cause: GapCause) => boolean): number {
  return causesOf(request)
    .filter(match)
    .reduce((sum, cause) => sum + cause.ms, 0);
}

/** True when a cause points at this file and line. */
export function at(cause: GapCause, where: { file: string; line: number }): boolean {
  return cause.location?.file === where.file && cause.location.line === where.line;
}

/** A readable dump of a request's causes for assertion messages. */
export function describeRequest(request: RequestAnalysis): string {
  const causes = causesOf(request)
    .map(cause => `  ${cause.kind} ${cause.ms.toFixed(1)} ms ${cause.label}`)
    .join('\n');
  const head = `${request.url}: ${request.durationMs.toFixed(1)} ms`;
  return `${head}, explained ${request.explainedShare}\n${causes}`;
}

/** Sends a GET and resolves once the first chunk of the body arrived; `done` settles at the end. */
export function startGet(port: number, path: string): Promise<{ done: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, res => {
      let body = '';
      const done = new Promise<string>((settle, fail) => {
        res.on('end', () => settle(body));
        res.on('error', fail);
      });
      res.once('data', () => resolve({ done }));
      res.on('data', chunk => (body += String(chunk)));
    });
    req.on('error', reject);
    req.end();
  });
}
