/**
 * A session's CPU samples merged into one call tree and charged to requests, built once per
 * session so flame graphs of any request or endpoint are cheap to cut (host side of the timeline).
 */
import type Cdp from 'devtools-protocol';
import type { ExecutionWindows, SessionFile } from '../core/session';
import type { FlameData, FlameScope } from './webviewMessages';

/** Every sample of the session, each with its merged call-tree node and its request. */
export interface SampleIndex {
  files: string[];
  frameNames: string[];
  frameFiles: number[];
  /** 1-based; 0 when the frame has no line (native, internal). */
  frameLines: number[];
  /** Merged tree over all profile chunks; parents come before children. */
  nodeParent: number[];
  nodeFrame: number[];
  /** Per sample: merged node index. */
  sampleNode: Int32Array;
  /** Per sample: request id running at the sample's time (0: none). */
  sampleRequest: Int32Array;
  /** Per sample: time since the previous sample (µs). */
  sampleDeltaUs: Float64Array;
}

/** Builds the index: merges chunks by call path and charges samples through the windows. */
export function buildSampleIndex(session: SessionFile): SampleIndex {
  const total = session.profiles.reduce((sum, p) => sum + (p.samples?.length ?? 0), 0);
  const index: SampleIndex = {
    files: [],
    frameNames: [],
    frameFiles: [],
    frameLines: [],
    nodeParent: [],
    nodeFrame: [],
    sampleNode: new Int32Array(total),
    sampleRequest: new Int32Array(total),
    sampleDeltaUs: new Float64Array(total),
  };
  const tables = new Tables(index);
  const charge = windowCursor(session.windows);

  let offset = 0;
  for (const profile of session.profiles) {
    offset = addProfile(index, tables, profile, offset, charge);
  }
  return index;
}

/** Cuts an aggregated call tree for the samples of one request or of one endpoint. */
export function flameFor(
  index: SampleIndex,
  scope: FlameScope,
  requestIdsOfEndpoint: (endpoint: string) => Iterable<number>,
): FlameData {
  const wanted = new Set<number>(
    scope.kind === 'request' ? [scope.requestId] : requestIdsOfEndpoint(scope.endpoint),
  );
  const self = new Float64Array(index.nodeParent.length);
  let samples = 0;
  let spanUs = 0;

  for (let i = 0; i < index.sampleNode.length; i++) {
    const node = index.sampleNode[i]!;
    if (node < 0 || !wanted.has(index.sampleRequest[i]!)) continue;

    self[node]! += 1;
    samples++;
    spanUs += index.sampleDeltaUs[i]!;
  }
  return compactTree(index, self, samples, samples ? spanUs / samples / 1000 : 0);
}

/** Keeps only nodes with samples in their subtree, renumbered with parents first. */
function compactTree(
  index: SampleIndex,
  self: Float64Array,
  totalSamples: number,
  msPerSample: number,
): FlameData {
  const inclusive = Float64Array.from(self);
  for (let n = index.nodeParent.length - 1; n >= 0; n--) {
    const parent = index.nodeParent[n]!;
    if (parent >= 0) inclusive[parent]! += inclusive[n]!;
  }

  const newIndex = new Int32Array(index.nodeParent.length).fill(-1);
  const usedFrames = new Map<number, number>();
  const usedFiles = new Map<number, number>();
  const flame: FlameData = {
    files: [],
    frameNames: [],
    frameFiles: [],
    frameLines: [],
    parent: [],
    frame: [],
    selfSamples: [],
    msPerSample,
    totalSamples,
  };

  for (let n = 0; n < index.nodeParent.length; n++) {
    if (inclusive[n] === 0) continue;

    const parent = index.nodeParent[n]!;
    newIndex[n] = flame.parent.length;
    flame.parent.push(parent >= 0 ? newIndex[parent]! : -1);
    flame.frame.push(mapFrame(index, flame, usedFrames, usedFiles, index.nodeFrame[n]!));
    flame.selfSamples.push(self[n]!);
  }
  return flame;
}

function mapFrame(
  index: SampleIndex,
  flame: FlameData,
  usedFrames: Map<number, number>,
  usedFiles: Map<number, number>,
  frame: number,
): number {
  const known = usedFrames.get(frame);
  if (known !== undefined) return known;

  const file = index.frameFiles[frame]!;
  let newFile = -1;
  if (file >= 0) {
    newFile = usedFiles.get(file) ?? flame.files.length;
    if (newFile === flame.files.length) {
      usedFiles.set(file, newFile);
      flame.files.push(index.files[file]!);
    }
  }
  const newFrame = flame.frameNames.length;
  usedFrames.set(frame, newFrame);
  flame.frameNames.push(index.frameNames[frame]!);
  flame.frameFiles.push(newFile);
  flame.frameLines.push(index.frameLines[frame]!);
  return newFrame;
}

/** Interning tables for files, frames and merged nodes. */
class Tables {
  private readonly files = new Map<string, number>();
  private readonly frames = new Map<string, number>();
  private readonly nodes = new Map<string, number>();

  constructor(private readonly index: SampleIndex) {}

  frameOf(callFrame: Cdp.Runtime.CallFrame): number {
    const key = `${callFrame.functionName}\u0000${callFrame.url}\u0000${callFrame.lineNumber}`;
    const known = this.frames.get(key);
    if (known !== undefined) return known;

    const id = this.index.frameNames.length;
    this.frames.set(key, id);
    this.index.frameNames.push(callFrame.functionName || '(anonymous)');
    this.index.frameFiles.push(callFrame.url ? this.fileOf(callFrame.url) : -1);
    this.index.frameLines.push(callFrame.lineNumber >= 0 ? callFrame.lineNumber + 1 : 0);
    return id;
  }

  nodeOf(parent: number, frame: number): number {
    const key = `${parent}:${frame}`;
    const known = this.nodes.get(key);
    if (known !== undefined) return known;

    const id = this.index.nodeParent.length;
    this.nodes.set(key, id);
    this.index.nodeParent.push(parent);
    this.index.nodeFrame.push(frame);
    return id;
  }

  private fileOf(url: string): number {
    const path = urlToPath(url);
    const known = this.files.get(path);
    if (known !== undefined) return known;

    this.files.set(path, this.index.files.length);
    this.index.files.push(path);
    return this.index.files.length - 1;
  }
}

function addProfile(
  index: SampleIndex,
  tables: Tables,
  profile: Cdp.Profiler.Profile,
  offset: number,
  charge: (timeUs: number) => number,
): number {
  const merged = mergeNodes(tables, profile);
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let time = profile.startTime;

  for (let i = 0; i < samples.length; i++) {
    const delta = deltas[i] ?? 0;
    time += delta;
    index.sampleNode[offset + i] = merged.get(samples[i]!) ?? 0;
    index.sampleRequest[offset + i] = charge(time);
    index.sampleDeltaUs[offset + i] = Math.max(0, delta);
  }
  return offset + samples.length;
}

/** Maps each profile node id to a merged node; the `(root)` node itself is dropped. */
function mergeNodes(tables: Tables, profile: Cdp.Profiler.Profile): Map<number, number> {
  const byId = new Map(profile.nodes.map(node => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  }

  const merged = new Map<number, number>();
  const resolve = (id: number): number => {
    const known = merged.get(id);
    if (known !== undefined) return known;

    const node = byId.get(id);
    const parentId = parentOf.get(id);
    if (!node || parentId === undefined) {
      merged.set(id, -1);
      return -1;
    }
    const result = tables.nodeOf(resolve(parentId), tables.frameOf(node.callFrame));
    merged.set(id, result);
    return result;
  };

  // Resolving in the profile's order keeps recursion shallow for most trees.
  for (const node of profile.nodes) resolve(node.id);
  return merged;
}

/** Returns a function giving the request running at a time; times must not decrease. */
function windowCursor(windows: ExecutionWindows): (timeUs: number) => number {
  let at = -1;
  return timeUs => {
    while (at + 1 < windows.ts.length && windows.ts[at + 1]! <= timeUs) at++;
    // JS of no request (a negative marker) belongs to none.
    return at >= 0 ? Math.max(0, windows.req[at] ?? 0) : 0;
  };
}

/** `file:///a/b.js` -> `/a/b.js`; other URLs stay as they are. */
export function urlToPath(url: string): string {
  if (!url.startsWith('file://')) return url;

  try {
    return decodeURIComponent(new URL(url).pathname);
  } catch {
    return url;
  }
}
