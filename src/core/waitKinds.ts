/**
 * What an async_hooks resource type means for a request that waits on it. Shared by the agent
 * (which decides what to track and stamps the kind) and the gap analysis (which ranks waits and
 * models the libuv thread pool).
 */
import type { RecordedWait } from './session';

export type WaitKind = RecordedWait['kind'];

/** Crypto jobs and compression that run on the libuv thread pool. */
const THREADPOOL_TYPES = new Set([
  'PBKDF2REQUEST',
  'SCRYPTREQUEST',
  'RANDOMBYTESREQUEST',
  'RANDOMPRIMEREQUEST',
  'CHECKPRIMEREQUEST',
  'HKDFREQUEST',
  'HASHREQUEST',
  'KEYPAIRGENREQUEST',
  'KEYGENREQUEST',
  'SECRETKEYGENREQUEST',
  'DERIVEBITSREQUEST',
  'SIGNREQUEST',
  'CIPHERREQUEST',
  'ZLIB',
]);

const FS_TYPES = new Set(['FSREQCALLBACK', 'FSREQPROMISE', 'FILEHANDLE', 'FILEHANDLECLOSEREQ']);

const DNS_TYPES = new Set(['GETADDRINFOREQWRAP', 'GETNAMEINFOREQWRAP', 'QUERYWRAP']);

/** Connects and connections: a connection's wait runs from a write to the next read. */
const SOCKET_TYPES = new Set([
  'TCPCONNECTWRAP',
  'PIPECONNECTWRAP',
  'TCPWRAP',
  'PIPEWRAP',
  'TLSWRAP',
]);

const TIMER_TYPES = new Set(['Timeout']);

/**
 * Types that are never a wait worth a stack: promises and ticks (everywhere, cheap to ignore),
 * the request's own HTTP objects, servers, writes (their completion is not what a request
 * waits for) and long-lived handles.
 */
const IGNORED_TYPES = new Set([
  'PROMISE',
  'TickObject',
  'Immediate',
  'Microtask',
  'HTTPINCOMINGMESSAGE',
  'HTTPCLIENTREQUEST',
  'TCPSERVERWRAP',
  'PIPESERVERWRAP',
  'WRITEWRAP',
  'SHUTDOWNWRAP',
  'TTYWRAP',
  'SIGNALWRAP',
  'PROCESSWRAP',
  'STATWATCHER',
  'FSEVENTWRAP',
  'UDPWRAP',
  'UDPSENDWRAP',
  'JSSTREAM',
  'JSUDPWRAP',
  'MESSAGEPORT',
  'WORKER',
  'DNSCHANNEL',
  'ELDHISTOGRAM',
  'INSPECTORJSBINDING',
  'SIGINTWATCHDOG',
  'HEAPSNAPSHOT',
  'STREAMPIPE',
  'FILEHANDLE',
]);

/**
 * The kind of wait a resource type stands for, or undefined when the type is not tracked.
 * Unknown types that are not promises, ticks, timers or sockets are native work (an addon's
 * N-API async work such as `bcrypt:EncryptAsyncWorker`), which runs on the thread pool too.
 */
export function waitKindOf(type: string): WaitKind | undefined {
  if (THREADPOOL_TYPES.has(type)) return 'threadpool';
  if (FS_TYPES.has(type) && type !== 'FILEHANDLE') return 'fs';
  if (DNS_TYPES.has(type)) return 'dns';
  if (SOCKET_TYPES.has(type)) return 'socket';
  if (TIMER_TYPES.has(type)) return 'timer';
  if (IGNORED_TYPES.has(type)) return undefined;
  if (type.startsWith('HTTP2') || type.startsWith('QUIC')) return undefined;
  return 'native';
}

/**
 * True when the work runs on one of the libuv pool's threads, so that more such jobs than
 * threads queue: crypto jobs, zlib, fs calls, `getaddrinfo`, and addons' async work.
 */
export function usesThreadpool(wait: Pick<RecordedWait, 'type' | 'kind'>): boolean {
  if (wait.kind === 'threadpool' || wait.kind === 'native' || wait.kind === 'fs') return true;
  return wait.type === 'GETADDRINFOREQWRAP' || wait.type === 'GETNAMEINFOREQWRAP';
}

/** libuv's default pool size (UV_THREADPOOL_SIZE unset). */
export const DEFAULT_THREADPOOL_SIZE = 4;

/** The pool size a target runs with, from its `UV_THREADPOOL_SIZE` (libuv clamps to 1..1024). */
export function threadpoolSizeOf(env: string | undefined): number {
  const size = Number(env);
  if (!Number.isInteger(size) || size < 1) return DEFAULT_THREADPOOL_SIZE;
  return Math.min(size, 1024);
}
