/**
 * The samples of a session's CPU profile chunks as flat typed arrays: one global index per
 * profile node (node ids are per chunk), each sample's node, start and end time.
 */
import type Cdp from 'devtools-protocol';
import { FrameCategory, frameCategory } from './frames';

/** All chunks of a session, flattened. Sample `i` covers `[sampleStartUs[i], sampleEndUs[i])`. */
export interface ProfileModel {
  /** Global node index -> the CDP node. */
  nodes: Cdp.Profiler.ProfileNode[];
  /** Global node index -> parent's global index, -1 for a root. */
  parent: Int32Array;
  /** Global node index -> `FrameCategory`. */
  category: Uint8Array;
  /** Sample -> global node index. */
  sampleNode: Int32Array;
  /** Sample start on the target's monotonic clock (µs). */
  sampleStartUs: Float64Array;
  /** Sample end (µs): the next sample's start, the chunk's `endTime` for its last sample. */
  sampleEndUs: Float64Array;
  sampleCount: number;
  /** Median time between samples (µs): the sampling interval actually in force; 0 if unknown. */
  medianIntervalUs: number;
}

/** Flattens the chunks; samples stay in time order (a time that runs backwards is clamped). */
export function buildProfileModel(profiles: readonly Cdp.Profiler.Profile[]): ProfileModel {
  const nodes: Cdp.Profiler.ProfileNode[] = [];
  const parents: number[] = [];
  let sampleCount = 0;
  for (const profile of profiles) sampleCount += profile.samples?.length ?? 0;

  const sampleNode = new Int32Array(sampleCount);
  const sampleStartUs = new Float64Array(sampleCount);
  const sampleEndUs = new Float64Array(sampleCount);
  let next = 0;
  let lastUs = -Infinity;
  for (const profile of profiles) {
    const base = nodes.length;
    const localIndex = denseIndex(addNodes(profile, nodes, parents));

    const samples = profile.samples ?? [];
    const deltas = profile.timeDeltas ?? [];
    let time = profile.startTime;
    const first = next;
    for (let i = 0; i < samples.length; i++) {
      time += deltas[i] ?? 0;
      const start = time > lastUs ? time : lastUs;
      lastUs = start;
      sampleStartUs[next] = start;
      sampleNode[next] = base + localIndex(samples[i] ?? -1);
      if (next > first) sampleEndUs[next - 1] = start;
      next++;
    }
    if (next > first) {
      const end = Math.max(profile.endTime, lastUs);
      sampleEndUs[next - 1] = end;
      lastUs = end;
    }
  }

  const parent = Int32Array.from(parents);
  const category = new Uint8Array(nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i];
    category[i] = node ? frameCategory(node.callFrame) : FrameCategory.Root;
  }

  const medianIntervalUs = medianInterval(sampleStartUs, sampleEndUs);
  return {
    nodes,
    parent,
    category,
    sampleNode,
    sampleStartUs,
    sampleEndUs,
    sampleCount,
    medianIntervalUs,
  };
}

/** Appends a chunk's nodes; returns its node id -> chunk-relative index. */
function addNodes(
  profile: Cdp.Profiler.Profile,
  nodes: Cdp.Profiler.ProfileNode[],
  parents: number[],
): Map<number, number> {
  const base = nodes.length;
  const localIndex = new Map<number, number>();
  profile.nodes.forEach((node, i) => localIndex.set(node.id, i));

  for (const node of profile.nodes) {
    nodes.push(node);
    parents.push(-1);
  }
  for (const node of profile.nodes) {
    const index = localIndex.get(node.id) ?? 0;
    for (const child of node.children ?? []) {
      const childIndex = localIndex.get(child);
      if (childIndex !== undefined) parents[base + childIndex] = base + index;
    }
    // Some producers give `parent` instead of `children`.
    const parentId = (node as { parent?: number }).parent;
    if (parentId !== undefined) {
      const parentIndex = localIndex.get(parentId);
      if (parentIndex !== undefined) parents[base + index] = base + parentIndex;
    }
  }
  return localIndex;
}

/**
 * Node id -> chunk-relative index (0 for an unknown id). CDP ids are small consecutive integers,
 * so a typed array replaces a hash lookup per sample; sparse or huge ids keep the map.
 */
function denseIndex(localIndex: Map<number, number>): (id: number) => number {
  let maxId = -1;
  for (const id of localIndex.keys()) {
    if (!Number.isInteger(id) || id < 0) return id => localIndex.get(id) ?? 0;
    if (id > maxId) maxId = id;
  }
  if (maxId > 4 * localIndex.size + 1024) return id => localIndex.get(id) ?? 0;

  const table = new Int32Array(maxId + 1);
  for (const [id, index] of localIndex) table[id] = index;
  return id => (id >= 0 && id <= maxId ? (table[id] ?? 0) : 0);
}

/** The median sample duration, found in linear time (a full sort costs more than the pass). */
function medianInterval(starts: Float64Array, ends: Float64Array): number {
  if (starts.length === 0) return 0;

  const durations = new Float64Array(starts.length);
  for (let i = 0; i < starts.length; i++) durations[i] = (ends[i] ?? 0) - (starts[i] ?? 0);
  return selectNth(durations, durations.length >> 1);
}

/** The value that would sit at `nth` if `values` were sorted ascending; reorders `values`. */
export function selectNth(values: Float64Array, nth: number): number {
  let low = 0;
  let high = values.length - 1;
  while (low < high) {
    // Median of three as pivot: sorted or constant input stays linear.
    const middle = (low + high) >> 1;
    const pivot = medianOfThree(values[low] ?? 0, values[middle] ?? 0, values[high] ?? 0);
    let i = low;
    let j = high;
    while (i <= j) {
      while ((values[i] ?? 0) < pivot) i++;
      while ((values[j] ?? 0) > pivot) j--;
      if (i <= j) {
        const swap = values[i] ?? 0;
        values[i] = values[j] ?? 0;
        values[j] = swap;
        i++;
        j--;
      }
    }
    if (nth <= j) high = j;
    else if (nth >= i) low = i;
    else return values[nth] ?? 0;
  }
  return values[nth] ?? 0;
}

function medianOfThree(a: number, b: number, c: number): number {
  if (a < b) return b < c ? b : a < c ? c : a;
  return a < c ? a : b < c ? c : b;
}
