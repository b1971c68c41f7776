/** Sample -> request attribution through the execution windows the agent recorded. */
import type { ExecutionWindows } from './session';

/** A request's lifetime on the profile's clock, µs (`endUs` absent: still running). */
export interface RequestBounds {
  id: number;
  startUs: number;
  endUs?: number;
}

/**
 * The request current at each sample's start, by one merge of the (sorted) sample times with
 * the (sorted) window switches: from `ts[i]` until `ts[i + 1]` request `req[i]` ran. 0 when no
 * request was current, including before the first switch.
 */
export function attributeSamples(
  sampleStartUs: Float64Array,
  windows: ExecutionWindows,
  requests: readonly RequestBounds[] = [],
): Int32Array {
  const result = new Int32Array(sampleStartUs.length);
  const ts = windows.ts;
  const req = windows.req;
  const switches = Math.min(ts.length, req.length);
  const bounds = new Map(requests.map(request => [request.id, request]));

  let current = 0;
  let next = 0;
  let from = -Infinity;
  let until = Infinity;
  for (let i = 0; i < sampleStartUs.length; i++) {
    const time = sampleStartUs[i] ?? 0;
    while (next < switches && (ts[next] ?? 0) <= time) {
      // JS of no request (BACKGROUND_JS) is attributed to none.
      current = Math.max(0, req[next] ?? 0);
      next++;
      const lifetime = bounds.get(current);
      from = lifetime?.startUs ?? -Infinity;
      until = lifetime?.endUs ?? Infinity;
    }
    // Work before a request started or after it ended (socket shutdown once the response
    // finished) is not the request's, whatever window it ran in.
    result[i] = time >= from && time < until ? current : 0;
  }
  return result;
}

/**
 * The part of `[startUs, endUs)` within the request's lifetime (empty: `end <= start`), so a
 * sample that straddles the end of its request charges only the part before the end.
 */
export function clipToRequest(
  startUs: number,
  endUs: number,
  request: RequestBounds | undefined,
): [number, number] {
  if (!request) return [startUs, endUs];
  return [Math.max(startUs, request.startUs), Math.min(endUs, request.endUs ?? Infinity)];
}
