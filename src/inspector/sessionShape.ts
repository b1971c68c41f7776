/**
 * The shape check of a parsed session file: deep enough that analysis cannot crash or print NaN
 * on a file someone edited or truncated by hand (every array the analysis walks, every time it
 * subtracts), cheap enough for sessions of millions of samples (one pass over each number array,
 * no copy). Says which field is wrong first, as a JSON path (`profiles[0].samples[12]`).
 */
import { SESSION_FORMAT, SESSION_VERSION } from '../core/session';

/** What is wrong with a session, for badSessionFile: the reason and, when useful, a hint. */
export interface ShapeProblem {
  reason: string;
  hint?: string;
}

type Fields = Record<string, unknown>;

/** Thrown inside the check at the first bad field; caught by `checkSessionShape`. */
class Bad {
  constructor(
    readonly reason: string,
    readonly hint?: string,
  ) {}
}

/** Says what is wrong with a parsed session, or undefined when its shape is right. */
export function checkSessionShape(value: unknown): ShapeProblem | undefined {
  try {
    checkFile(value);
    return undefined;
  } catch (error) {
    if (error instanceof Bad) return error.hint ? error : { reason: error.reason };
    throw error;
  }
}

function checkFile(value: unknown): void {
  if (!isObject(value)) throw new Bad('it is not a JSON object');
  if (value.format !== SESSION_FORMAT) throw new Bad(`its format is not "${SESSION_FORMAT}"`);
  if (value.version !== SESSION_VERSION) throw badVersion(value.version);

  const target = object(value, 'target');
  number(target, 'pid', 'target');
  const capture = object(value, 'capture');
  for (const key of ['startUs', 'endUs', 'samplingIntervalUs']) number(capture, key, 'capture');
  list(capture, 'notes', 'capture');

  list(value, 'profiles').forEach((profile, i) => checkProfile(profile, `profiles[${i}]`));
  list(value, 'requests').forEach((request, i) => {
    const where = `requests[${i}]`;
    const fields = asObject(request, where);
    number(fields, 'id', where);
    number(fields, 'startUs', where);
    optionalNumber(fields, 'endUs', where);
    string(fields, 'method', where);
    string(fields, 'url', where);
  });
  checkWindows(value);
  list(value, 'spans').forEach((span, i) => checkTimed(span, `spans[${i}]`, 'name'));
  list(value, 'waits').forEach((wait, i) => checkTimed(wait, `waits[${i}]`, 'type'));
  // What held the thread: stretches in order, amounts no longer than they can be.
  const captureUs = Number(capture.endUs) - Number(capture.startUs);
  // Readings belong to successive stretches between switches: their starts rise. A run-queue
  // reading ends after the read itself, which a preemption may stretch past the next start.
  optionalStretches(value, 'runDelays', 'delayUs', () => Math.max(0, captureUs), 'starts');
  optionalStretches(value, 'gcs', undefined, () => 0);
  optionalStretches(value, 'agentPauses', undefined, () => 0);
  // The loop's idle time is read at both ends of its stretch (1 ms of slack for rounding).
  const idleMax = (start: number, end: number) => end - start + 1000;
  optionalStretches(value, 'loopIdle', 'idleUs', idleMax, 'disjoint');
  if (Array.isArray(value.gcs)) {
    value.gcs.forEach((gc, i) => {
      if (!GC_KINDS.has(String((gc as Fields).kind))) throw new Bad(`gcs[${i}].kind is unknown`);
    });
  }
  list(value, 'scripts').forEach((script, i) => {
    string(asObject(script, `scripts[${i}]`), 'url', `scripts[${i}]`);
  });
}

/** `gcs[].kind` values a session may hold. */
const GC_KINDS = new Set(['minor', 'major', 'incremental', 'weak-callbacks', 'other']);

/**
 * A list of stretches absent from older sessions: when present, each item has a `startUs` at
 * or before its `endUs` and, if named, an `amount` between 0 and `maxAmount(start, end)`.
 */
function optionalStretches(
  file: Fields,
  key: string,
  amount: string | undefined,
  maxAmount: (startUs: number, endUs: number) => number,
  /** `starts`: each item starts after the one before; `disjoint`: after it ended too. */
  order?: 'starts' | 'disjoint',
): void {
  if (file[key] === undefined) return;

  let previousStart = -Infinity;
  let previousEnd = -Infinity;
  list(file, key).forEach((item, i) => {
    const where = `${key}[${i}]`;
    const fields = asObject(item, where);
    number(fields, 'startUs', where);
    number(fields, 'endUs', where);
    const start = fields.startUs as number;
    const end = fields.endUs as number;
    if (end < start) throw new Bad(`${where}.endUs is before its startUs`);
    const overlaps =
      (order === 'starts' && start <= previousStart) ||
      (order === 'disjoint' && start < previousEnd);
    if (overlaps) throw new Bad(`${where} overlaps the reading before it`);
    previousStart = start;
    previousEnd = end;
    if (amount === undefined) return;
    number(fields, amount, where);
    const value = fields[amount] as number;
    if (value < 0 || value > maxAmount(start, end)) {
      throw new Bad(`${where}.${amount} is out of range (${value} µs)`);
    }
  });
}

function badVersion(version: unknown): Bad {
  const text = `its version is ${String(version)}, this build reads version ${SESSION_VERSION}`;
  if (typeof version === 'number' && version > SESSION_VERSION) {
    return new Bad(text, 'It was written by a newer Gapscope: update Gapscope to open it.');
  }
  return new Bad(text);
}

function checkProfile(value: unknown, where: string): void {
  const profile = asObject(value, where);
  number(profile, 'startTime', where);
  number(profile, 'endTime', where);
  list(profile, 'nodes', where).forEach((node, i) => {
    const at = `${where}.nodes[${i}]`;
    const fields = asObject(node, at);
    number(fields, 'id', at);
    const frame = object(fields, 'callFrame', at);
    string(frame, 'url', `${at}.callFrame`);
    string(frame, 'functionName', `${at}.callFrame`);
    number(frame, 'lineNumber', `${at}.callFrame`);
    if (fields.children !== undefined) numbers(fields, 'children', at);
    if (fields.positionTicks !== undefined) {
      list(fields, 'positionTicks', at).forEach((tick, j) => {
        const tickAt = `${at}.positionTicks[${j}]`;
        number(asObject(tick, tickAt), 'line', tickAt);
        number(asObject(tick, tickAt), 'ticks', tickAt);
      });
    }
  });
  const samples = numbers(profile, 'samples', where);
  const deltas = numbers(profile, 'timeDeltas', where);
  if (samples.length !== deltas.length) {
    throw new Bad(`${where}.samples and .timeDeltas differ in length`);
  }
}

function checkWindows(file: Fields): void {
  const windows = object(file, 'windows');
  const ts = numbers(windows, 'ts', 'windows');
  const req = numbers(windows, 'req', 'windows');
  if (ts.length !== req.length) throw new Bad('the execution windows are inconsistent');
}

function checkTimed(value: unknown, where: string, label: string): void {
  const fields = asObject(value, where);
  number(fields, 'startUs', where);
  number(fields, 'endUs', where);
  number(fields, 'requestId', where);
  string(fields, label, where);
}

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function path(parent: string | undefined, key: string): string {
  return parent ? `${parent}.${key}` : key;
}

function asObject(value: unknown, where: string): Fields {
  if (!isObject(value)) throw new Bad(`${where} is not an object`);
  return value;
}

function object(fields: Fields, key: string, parent?: string): Fields {
  const value = fields[key];
  if (value === undefined) throw new Bad(`"${path(parent, key)}" is missing`);
  return asObject(value, path(parent, key));
}

function list(fields: Fields, key: string, parent?: string): unknown[] {
  const value = fields[key];
  if (value === undefined) throw new Bad(`the "${path(parent, key)}" list is missing`);
  if (!Array.isArray(value)) throw new Bad(`${path(parent, key)} is not a list`);
  return value;
}

/** An array of finite numbers, checked in one pass without copying. */
function numbers(fields: Fields, key: string, parent?: string): number[] {
  const values = list(fields, key, parent);
  for (let i = 0; i < values.length; i++) {
    const item = values[i];
    if (typeof item !== 'number' || !Number.isFinite(item)) {
      throw new Bad(`${path(parent, key)}[${i}] is not a number`);
    }
  }
  return values as number[];
}

function number(fields: Fields, key: string, parent?: string): void {
  const value = fields[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Bad(`${path(parent, key)} is ${value === undefined ? 'missing' : 'not a number'}`);
  }
}

function optionalNumber(fields: Fields, key: string, parent: string): void {
  if (fields[key] !== undefined) number(fields, key, parent);
}

function string(fields: Fields, key: string, parent: string): void {
  if (typeof fields[key] !== 'string') {
    throw new Bad(`${path(parent, key)} is ${fields[key] === undefined ? 'missing' : 'not text'}`);
  }
}
