/**
 * The subset of RESP (the Redis wire protocol) that the session store and its client speak:
 * commands are arrays of bulk strings; replies are simple strings, errors, integers, bulk
 * strings (or null) and arrays. Speaking real RESP means a real Redis can replace the store.
 */

/** A decoded RESP value. Errors are kept apart so callers can reject on them. */
export type RespValue = string | number | null | RespError | RespValue[];

export class RespError {
  constructor(readonly message: string) {}
}

/** Encodes a command (`SET key value EX 60`) as an array of bulk strings. */
export function encodeCommand(args: readonly string[]): Buffer {
  const parts = [`*${args.length}\r\n`];
  for (const arg of args) parts.push(`$${Buffer.byteLength(arg)}\r\n${arg}\r\n`);
  return Buffer.from(parts.join(''));
}

export function encodeSimple(text: string): Buffer {
  return Buffer.from(`+${text}\r\n`);
}

export function encodeError(text: string): Buffer {
  return Buffer.from(`-ERR ${text}\r\n`);
}

export function encodeInteger(value: number): Buffer {
  return Buffer.from(`:${value}\r\n`);
}

export function encodeBulk(value: string | null): Buffer {
  if (value === null) return Buffer.from('$-1\r\n');
  return Buffer.from(`$${Buffer.byteLength(value)}\r\n${value}\r\n`);
}

/**
 * Accumulates bytes from a socket and yields every complete value. A value split across
 * packets stays buffered until the rest arrives.
 */
export class RespReader {
  private buffer: Buffer = Buffer.alloc(0);

  /** Appends `chunk` and returns the values it completed, in order. */
  push(chunk: Buffer): RespValue[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const values: RespValue[] = [];
    for (;;) {
      const parsed = parseValue(this.buffer, 0);
      if (!parsed) break;

      values.push(parsed.value);
      this.buffer = this.buffer.subarray(parsed.next);
    }
    return values;
  }
}

interface Parsed {
  value: RespValue;
  /** Offset just after the value. */
  next: number;
}

function parseValue(buffer: Buffer, start: number): Parsed | undefined {
  const lineEnd = buffer.indexOf('\r\n', start);
  if (lineEnd < 0) return undefined;

  const type = String.fromCharCode(buffer[start] ?? 0);
  const head = buffer.toString('utf8', start + 1, lineEnd);
  const afterHead = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: head, next: afterHead };
    case '-':
      return { value: new RespError(head), next: afterHead };
    case ':':
      return { value: Number(head), next: afterHead };
    case '$':
      return parseBulk(buffer, Number(head), afterHead);
    case '*':
      return parseArray(buffer, Number(head), afterHead);
    default:
      throw new Error(`Unexpected RESP type byte ${JSON.stringify(type)}`);
  }
}

function parseBulk(buffer: Buffer, length: number, start: number): Parsed | undefined {
  if (length < 0) return { value: null, next: start };
  if (buffer.length < start + length + 2) return undefined;

  return { value: buffer.toString('utf8', start, start + length), next: start + length + 2 };
}

function parseArray(buffer: Buffer, count: number, start: number): Parsed | undefined {
  if (count < 0) return { value: null, next: start };

  const items: RespValue[] = [];
  let next = start;
  for (let i = 0; i < count; i++) {
    const item = parseValue(buffer, next);
    if (!item) return undefined;

    items.push(item.value);
    next = item.next;
  }
  return { value: items, next };
}
