/**
 * Builders of small hand-written sessions for tests: a CDP profile from a node list and a
 * sample list, and a session around it. Times are µs from 0 unless given.
 */
import type Cdp from 'devtools-protocol';
import type { RecordedRequest, SessionFile } from './session';

/** A node of a hand-written profile; `parent` is a node id (the root has none). */
export interface NodeSpec {
  id: number;
  parent?: number;
  functionName: string;
  url?: string;
  /** 0-based, as CDP gives it. */
  lineNumber?: number;
  columnNumber?: number;
  positionTicks?: { line: number; ticks: number }[];
}

/** A profile whose samples are `samples` (node ids), each `intervalUs` long, from `startUs`. */
export function makeProfile(
  nodes: NodeSpec[],
  samples: number[],
  intervalUs = 1000,
  startUs = 0,
): Cdp.Profiler.Profile {
  const profileNodes: Cdp.Profiler.ProfileNode[] = nodes.map(spec => {
    const node: Cdp.Profiler.ProfileNode = {
      id: spec.id,
      callFrame: {
        functionName: spec.functionName,
        scriptId: '0',
        url: spec.url ?? '',
        lineNumber: spec.lineNumber ?? -1,
        columnNumber: spec.columnNumber ?? -1,
      },
      children: nodes.filter(child => child.parent === spec.id).map(child => child.id),
    };
    if (spec.positionTicks) node.positionTicks = spec.positionTicks;
    return node;
  });
  return {
    nodes: profileNodes,
    startTime: startUs - intervalUs,
    endTime: startUs + samples.length * intervalUs,
    samples,
    timeDeltas: samples.map(() => intervalUs),
  };
}

/** A session around the given profiles; the capture spans the profiles unless given. */
export function makeSession(parts: Partial<SessionFile> & { profiles: Cdp.Profiler.Profile[] }) {
  const first = parts.profiles[0];
  const last = parts.profiles[parts.profiles.length - 1];
  const session: SessionFile = {
    format: 'gapscope-session',
    version: 1,
    target: {
      pid: 1,
      argv: ['node', 'app.js'],
      cwd: '/app',
      nodeVersion: 'v20.20.0',
      inspectorUrl: 'ws://127.0.0.1:9229/x',
      inspectorOpenedByUs: true,
    },
    capture: {
      startedAt: '2025-01-01T00:00:00.000Z',
      startUs: first ? first.startTime : 0,
      endUs: last ? last.endTime : 0,
      samplingIntervalUs: 1000,
      tracking: 'windows',
      endReason: 'duration',
      notes: [],
    },
    requests: [],
    windows: { ts: [], req: [] },
    spans: [],
    waits: [],
    scripts: [],
    ...parts,
  };
  return session;
}

/** A finished GET request. */
export function makeRequest(id: number, url: string, startUs: number, endUs?: number) {
  const request: RecordedRequest = { id, method: 'GET', url, startUs };
  if (endUs !== undefined) request.endUs = endUs;
  return request;
}
