/**
 * Short hints for known culprits, matched on the frames below a hot line and on the calls the
 * line makes. Password hashing is slow on purpose: the hint is about where it runs, never about
 * weakening it.
 */

const PASSWORD_HASH = /pbkdf2|scrypt|bcrypt|argon2/i;
const SYNC_HASH = /pbkdf2Sync|scryptSync|hashSync|compareSync|genSaltSync/;
const SYNC_ZLIB =
  /^(zlib\.\w+Sync|\w*zlib\w*\.\w*Sync)|\b(deflate|inflate|gzip|gunzip|unzip|brotli\w*)Sync\b/i;
const SYNC_FS = /^fs\.\w+Sync$|\b(readFileSync|writeFileSync|readdirSync|statSync|existsSync)\b/;
const JSON_CALL = /JSON\.(parse|stringify)|\(native\) (parse|stringify)$/;
const REGEXP = /RegExp|\(native\) (exec|test|match|replace)/;
/** Calls on a line that always run a regular expression (`SLUG.test`, `text.match`). */
const REGEXP_CALL = /\.(test|exec|match|matchAll|search)$/;

/** The hint for CPU charged to a line with these inner frames and line calls, if any. */
export function hintFor(
  inner: readonly string[],
  lineCalls: readonly string[],
): string | undefined {
  const names = [...inner, ...lineCalls];
  const has = (pattern: RegExp) => names.some(name => pattern.test(name));

  if (has(PASSWORD_HASH)) {
    if (has(SYNC_HASH)) {
      return (
        'Password hashing is slow by design; the synchronous form blocks every request while ' +
        'it runs. Use the async form so other requests keep being served.'
      );
    }
    return passwordHashWaitHint();
  }
  if (has(SYNC_ZLIB)) {
    return 'Synchronous compression blocks the event loop; use the async zlib API or a stream.';
  }
  if (has(SYNC_FS)) {
    return 'Synchronous file I/O blocks the event loop; use fs.promises instead.';
  }
  if (has(JSON_CALL)) {
    return (
      'JSON.parse/stringify of a large payload blocks the event loop; send or parse less ' +
      '(paginate, select fields) or stream it.'
    );
  }
  if (inner.some(name => REGEXP.test(name)) || lineCalls.some(name => REGEXP_CALL.test(name))) {
    return (
      'Regular expression matching: check the pattern for nested quantifiers (catastrophic ' +
      'backtracking) and bound the input length.'
    );
  }
  return undefined;
}

/** The hint for async password hashing waiting on the libuv pool. */
export function passwordHashWaitHint(): string {
  return (
    'Password hashing is slow by design; the async form waits on the libuv thread pool ' +
    '(4 threads by default), so concurrent logins queue. Size UV_THREADPOOL_SIZE for the ' +
    'login rate rather than weakening the hash.'
  );
}

/** The hint for time a job spent queued for a thread of the libuv pool. */
export function threadpoolBusyHint(threads: number): string {
  return (
    `All ${threads} threads of the libuv pool were busy (hashing, zlib, fs and dns share ` +
    'them), so this job waited for one. Size UV_THREADPOOL_SIZE for the concurrent load, or ' +
    'move the heavy jobs to a worker pool of their own.'
  );
}

/** The hint for time the JS thread was ready to run but had no CPU. */
export const RUN_DELAY_HINT =
  'The service had work ready but no CPU: other processes (or a container CPU quota) held ' +
  'the cores. Not a code problem; fewer processes per core or more CPU removes it.';

/** The hint for a wait of this async_hooks resource type, if any. */
export function hintForWait(type: string): string | undefined {
  return PASSWORD_HASH.test(type) ? passwordHashWaitHint() : undefined;
}
