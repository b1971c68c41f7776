/**
 * Classifies profile call frames: the user's own code versus Node internals, packages and native
 * code, and names non-user frames the way the report shows them (`crypto.pbkdf2Sync`,
 * `bcryptjs.hashSync`, `(native) stringify`).
 */
import type Cdp from 'devtools-protocol';

/** What a profile node stands for, as attribution counts it. */
export enum FrameCategory {
  /** `(idle)`: the thread waited for work. */
  Idle = 0,
  /** `(garbage collector)`. */
  Gc = 1,
  /** `(program)`: native work outside any JS frame, CPU of whatever request is current. */
  Program = 2,
  /** Any JS or native function frame. */
  Js = 3,
  /** `(root)`: the profile's root, never a sample in practice. */
  Root = 4,
}

/**
 * The URL the injected agent's frames carry in profiles (its `//# sourceURL`): the analysis
 * charges them as Gapscope's own overhead, never as the user's code.
 */
export const AGENT_SCRIPT_URL = 'gapscope-agent.js';

/** True for a frame of Gapscope's injected agent. */
export function isAgentFrame(callFrame: Cdp.Runtime.CallFrame): boolean {
  return callFrame.url === AGENT_SCRIPT_URL;
}

/** The category of a call frame by its special V8 names. */
export function frameCategory(callFrame: Cdp.Runtime.CallFrame): FrameCategory {
  if (callFrame.url !== '') return FrameCategory.Js;

  switch (callFrame.functionName) {
    case '(idle)':
      return FrameCategory.Idle;
    case '(garbage collector)':
      return FrameCategory.Gc;
    case '(program)':
      return FrameCategory.Program;
    case '(root)':
      return FrameCategory.Root;
    default:
      return FrameCategory.Js;
  }
}

/** True for a frame of the user's own code: a `file://` URL outside `node_modules`. */
export function isUserFrame(callFrame: Cdp.Runtime.CallFrame): boolean {
  return callFrame.url.startsWith('file://') && !callFrame.url.includes('/node_modules/');
}

/** The package a `node_modules` URL belongs to (`bcryptjs`, `@scope/name`), else undefined. */
export function packageName(url: string): string | undefined {
  const marker = '/node_modules/';
  const index = url.lastIndexOf(marker);
  if (index < 0) return undefined;

  const parts = url.slice(index + marker.length).split('/');
  const first = parts[0] ?? '';
  if (first.startsWith('@') && parts[1]) return `${first}/${parts[1]}`;
  return first || undefined;
}

/**
 * The display name of a non-user frame: `<module>.<fn>` for Node internals
 * (`node:internal/crypto/pbkdf2` -> `crypto.pbkdf2Sync`, `node:zlib` -> `zlib.deflateSync`),
 * `<package>.<fn>` for node_modules, `(native) <fn>` for frames without a URL.
 */
export function innerFrameName(callFrame: Cdp.Runtime.CallFrame): string {
  const fn = callFrame.functionName || '(anonymous)';
  const url = callFrame.url;
  if (url === '') return `(native) ${fn}`;

  const pkg = packageName(url);
  if (pkg) return `${pkg}.${fn}`;

  if (url.startsWith('node:')) return `${nodeModuleName(url)}.${fn}`;
  return `${fileBaseName(url)}.${fn}`;
}

/** `node:internal/crypto/pbkdf2` -> `crypto`, `node:zlib` -> `zlib`, `node:internal/x` -> `x`. */
function nodeModuleName(url: string): string {
  const parts = url.slice('node:'.length).split('/');
  if (parts[0] === 'internal' && parts.length > 1) return parts[1] ?? 'internal';
  return parts[0] ?? url;
}

function fileBaseName(url: string): string {
  const last = url.split('/').pop() ?? url;
  return last.replace(/\.[cm]?[jt]s$/, '') || url;
}

/** The absolute path of a `file://` URL, or the URL itself when it is not one. */
export function urlToPath(url: string): string {
  if (!url.startsWith('file://')) return url;

  try {
    return decodeURIComponent(new URL(url).pathname);
  } catch {
    return url;
  }
}

/** The `file://` URL of an absolute path (the inverse of `urlToPath` for plain paths). */
export function pathToUrl(path: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(path)) return path;
  return 'file://' + encodeURI(path);
}
