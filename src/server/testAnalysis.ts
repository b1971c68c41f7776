/**
 * A small hand-written analysis for the server's unit tests: one `POST /login` endpoint whose
 * hot line is a `pbkdf2Sync` call, and a cooler `GET /report` line in another file.
 */
import type { Analysis, HotLine } from '../core/model';

/** A hot line with defaults, overridden by `fields`. */
export function hotLine(fields: Partial<HotLine>): HotLine {
  return {
    file: '/srv/app/src/auth.ts',
    line: 10,
    functionName: 'verifyPassword',
    endpoint: 'POST /login',
    msPerRequest: 612,
    totalMs: 6120,
    share: 0.76,
    samples: 6120,
    untracedMsPerRequest: 600,
    innerFrames: [{ name: 'crypto.pbkdf2Sync', ms: 600 }],
    hint: 'Password hashing on the event loop: use the async crypto.pbkdf2.',
    ...fields,
  };
}

/** The analysis: two endpoints, three requests, three hot lines. */
export function testAnalysis(): Analysis {
  const login = hotLine({});
  const loginParse = hotLine({ line: 4, msPerRequest: 0.4, totalMs: 4, share: 0.0005 });
  const report = hotLine({
    file: '/srv/app/src/routes.ts',
    line: 30,
    functionName: 'report',
    endpoint: 'GET /report',
    msPerRequest: 12,
    totalMs: 24,
    share: 0.5,
    samples: 24,
    untracedMsPerRequest: 0,
    innerFrames: [],
  });
  delete report.hint;
  const endpoint = {
    method: 'POST',
    route: '/login',
    key: 'POST /login',
    count: 10,
    p50Ms: 806,
    p95Ms: 900,
    p99Ms: 950,
    meanMs: 810,
    cpuMsPerRequest: 620,
    untracedMsPerRequest: 744,
    explainedShare: 0.97,
    gapCauses: [],
    hotLines: [login, loginParse],
  };
  const request = (id: number, durationMs: number, key: string) => ({
    id,
    endpoint: key,
    method: key.split(' ')[0]!,
    url: key.split(' ')[1]!,
    startUs: id * 1_000_000,
    endUs: id * 1_000_000 + durationMs * 1000,
    durationMs,
    cpuMs: durationMs,
    untracedMs: 0,
    explainedShare: 1,
    spans: [],
    gaps: [],
    cpuSlices: [],
  });
  return {
    endpoints: [
      endpoint,
      {
        ...endpoint,
        method: 'GET',
        route: '/report',
        key: 'GET /report',
        count: 2,
        hotLines: [report],
      },
    ],
    requests: [
      request(1, 700, 'POST /login'),
      request(2, 950, 'POST /login'),
      request(3, 24, 'GET /report'),
    ],
    hotLines: [login, report, loginParse],
    totals: {
      durationMs: 10_000,
      samples: 9000,
      requests: 12,
      attributedCpuShare: 0.9,
      idle: false,
    },
    notes: [],
  };
}
