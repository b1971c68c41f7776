/** Sample -> request attribution through the execution windows the agent recorded. */
import type { ExecutionWindows } from './session';

/**
 * The request current at each sample's start, by one merge of the (sorted) sample times with
 * the (sorted) window switches: from `ts[i]` until `ts[i + 1]` request `req[i]` ran. 0 when no
 * request was current, including before the first switch.
 */
export function attributeSamples(
  sampleStartUs: Float64Array,
  windows: ExecutionWindows,
): Int32Array {
  const result = new Int32Array(sampleStartUs.length);
  const ts = windows.ts;
  const req = windows.req;
  const switches = Math.min(ts.length, req.length);

  let current = 0;
  let next = 0;
  for (let i = 0; i < sampleStartUs.length; i++) {
    const time = sampleStartUs[i] ?? 0;
    while (next < switches && (ts[next] ?? 0) <= time) {
      current = req[next] ?? 0;
      next++;
    }
    result[i] = current;
  }
  return result;
}
