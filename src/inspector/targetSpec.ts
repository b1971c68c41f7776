/**
 * What the user typed to name a target (`1234`, `127.0.0.1:9229`, `[::1]:9229`, `ws://…`) and
 * whether an address stays on this machine.
 */
import { badArgument, fail, ok, type Result } from '../core/errors';
import type { TargetSpec } from './types';

const SPEC_HINT = 'Give a pid (`1234`), an inspector address (`127.0.0.1:9229`) or a ws:// URL.';

/** Parses a target as the CLI receives it. */
export function parseTargetSpec(text: string): Result<TargetSpec> {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) {
    const pid = Number(trimmed);
    if (pid > 0 && Number.isSafeInteger(pid)) return ok({ kind: 'pid', pid });
    return fail(badArgument(`${trimmed} is not a valid pid.`, SPEC_HINT));
  }

  if (/^wss?:\/\//i.test(trimmed)) {
    try {
      new URL(trimmed);
      return ok({ kind: 'websocket', url: trimmed });
    } catch {
      return fail(badArgument(`${trimmed} is not a valid WebSocket URL.`, SPEC_HINT));
    }
  }

  const address = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d+)$/.exec(trimmed);
  const port = Number(address?.[3]);
  if (!address || !(port > 0 && port < 65536)) {
    return fail(badArgument(`Cannot read "${text}" as a target.`, SPEC_HINT));
  }
  const host = address[1] ?? (address[2] || '127.0.0.1');
  return ok({ kind: 'address', host, port });
}

/** True for 127.0.0.0/8, ::1 (and its IPv4-mapped forms) and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1' || bare === '0:0:0:0:0:0:0:1') return true;

  const v4 = bare.replace(/^::ffff:/, '');
  const octets = v4.split('.');
  if (octets.length !== 4 || !octets.every(o => /^\d{1,3}$/.test(o) && Number(o) < 256)) {
    return false;
  }
  return octets[0] === '127';
}

/** The host of a `ws://` URL, without IPv6 brackets; undefined when the URL cannot be read. */
export function hostOfUrl(url: string): string | undefined {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return undefined;
  }
}
