/**
 * Process discovery from /proc (Linux): which processes are Node, what they listen on, and
 * where their inspector is. Nothing here sends a byte to a service's own ports: listening
 * sockets come from `/proc/PID/fd` socket inodes joined with `/proc/net/tcp{,6}`.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { NodeProcessInfo } from './types';

/** The inspector's default port, used by `--inspect` without a port and by SIGUSR1. */
export const DEFAULT_INSPECTOR_PORT = 9229;

/** TCP state `LISTEN` in /proc/net/tcp. */
const TCP_LISTEN = '0A';

/**
 * Inspector ports that appeared after Gapscope signalled a process (keyed by pid), so `list`
 * can show them even when no flag names the port (`--inspect-port=0`).
 */
const signalledInspectorPorts = new Map<number, number>();

/**
 * Where Gapscope processes note the inspector ports they opened, one file per pid, so another
 * Gapscope process (a second `attach`, `list`) finds a port no flag names (`--inspect-port=0`).
 * A note outlives a killed Gapscope; it is trusted only while the pid listens on its port.
 */
const PORT_NOTES_DIR = join(tmpdir(), 'gapscope-inspector-ports');

/** Remembers that `port` opened on `pid` after we signalled it (see `inspectorPortOf`). */
export function rememberInspectorPort(pid: number, port: number): void {
  signalledInspectorPorts.set(pid, port);
  try {
    mkdirSync(PORT_NOTES_DIR, { recursive: true });
    writeFileSync(join(PORT_NOTES_DIR, String(pid)), String(port));
  } catch {
    // Only other Gapscope processes miss the note; this one remembers the port.
  }
}

/** Forgets a remembered inspector port (we closed the inspector, or the process exited). */
export function forgetInspectorPort(pid: number): void {
  signalledInspectorPorts.delete(pid);
  rmSync(join(PORT_NOTES_DIR, String(pid)), { force: true });
}

/** The port another Gapscope process noted for `pid`, if any. */
function notedInspectorPort(pid: number): number | undefined {
  try {
    const port = Number(readFileSync(join(PORT_NOTES_DIR, String(pid)), 'utf8'));
    return Number.isInteger(port) && port > 0 ? port : undefined;
  } catch {
    return undefined;
  }
}

/** What /proc says about one process; undefined fields could not be read. */
export interface ProcessFacts {
  pid: number;
  /** `/proc/PID/comm`: the thread name, `node` for Node unless the title was changed. */
  comm?: string;
  /** Target of `/proc/PID/exe`. */
  exe?: string;
  argv: string[];
  cwd?: string;
}

/** Reads what identifies a process; undefined when it does not exist (or vanished meanwhile). */
export async function readProcessFacts(pid: number): Promise<ProcessFacts | undefined> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  if (cmdline === undefined) return undefined;

  const facts: ProcessFacts = { pid, argv: cmdline.split('\0').filter(arg => arg.length > 0) };
  const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => undefined);
  if (comm !== undefined) facts.comm = comm.trim();
  const exe = await readlink(`/proc/${pid}/exe`).catch(() => undefined);
  if (exe !== undefined) facts.exe = exe.replace(/ \(deleted\)$/, '');
  const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => undefined);
  if (cwd !== undefined) facts.cwd = cwd;
  return facts;
}

/**
 * True when the process is a Node.js binary. Signalling anything else with SIGUSR1 kills it,
 * so this errs on the side of "no": the executable (or, when unreadable, the thread name and
 * argv[0]) must be called `node`, `nodejs` or `node<digits>`.
 */
export function isNodeProcess(facts: ProcessFacts): boolean {
  const looksLikeNode = (name: string) => /^node(js|\d+)?$/.test(name);
  if (facts.exe !== undefined) return looksLikeNode(basename(facts.exe));

  const argv0 = facts.argv[0];
  return facts.comm === 'node' && argv0 !== undefined && looksLikeNode(basename(argv0));
}

/** Parses /proc/net/tcp or tcp6 text into a map from socket inode to listening port. */
export function parseListeningSockets(text: string): Map<string, number> {
  const byInode = new Map<string, number>();
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const local = fields[1];
    const state = fields[3];
    const inode = fields[9];
    if (!local || state !== TCP_LISTEN || !inode) continue;

    const port = parseInt(local.slice(local.lastIndexOf(':') + 1), 16);
    if (Number.isFinite(port)) byInode.set(inode, port);
  }
  return byInode;
}

/** Every listening TCP socket of the machine (IPv4 and IPv6), by inode. */
export async function readListeningSockets(): Promise<Map<string, number>> {
  const merged = new Map<string, number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(file, 'utf8').catch(() => '');
    for (const [inode, port] of parseListeningSockets(text)) merged.set(inode, port);
  }
  return merged;
}

/** Socket inodes a process holds open (empty when its fds cannot be read). */
export async function readSocketInodes(pid: number): Promise<string[]> {
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
  const inodes: string[] = [];
  for (const fd of fds) {
    const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const match = /^socket:\[(\d+)\]$/.exec(link);
    if (match?.[1]) inodes.push(match[1]);
  }
  return inodes;
}

/** The TCP ports `pid` listens on, ascending and without duplicates. */
export async function listeningPortsOf(
  pid: number,
  sockets?: Map<string, number>,
): Promise<number[]> {
  const table = sockets ?? (await readListeningSockets());
  const ports = new Set<number>();
  for (const inode of await readSocketInodes(pid)) {
    const port = table.get(inode);
    if (port !== undefined) ports.add(port);
  }
  return [...ports].sort((a, b) => a - b);
}

/**
 * The pid holding a listening socket on `port`, when it can be seen (same user or root).
 * Scans every process's fds, so it is for error messages, not hot paths.
 */
export async function findPortHolder(port: number): Promise<number | undefined> {
  const table = await readListeningSockets();
  const inodes = new Set([...table].filter(([, p]) => p === port).map(([inode]) => inode));
  if (inodes.size === 0) return undefined;

  for (const pid of await listPids()) {
    const held = await readSocketInodes(pid);
    if (held.some(inode => inodes.has(inode))) return pid;
  }
  return undefined;
}

/** The port named by `--inspect[-brk|-port]=[host:]port` flags, in argv or NODE_OPTIONS. */
export function inspectorPortFromFlags(args: readonly string[]): number | undefined {
  let port: number | undefined;
  for (const arg of args) {
    const match = /^--inspect(?:-brk|-port|-wait)?(?:=(?:.*:)?(\d+))?$/.exec(arg);
    if (!match) continue;

    if (match[1] !== undefined) port = Number(match[1]);
    else if (arg !== '--inspect-port') port ??= DEFAULT_INSPECTOR_PORT;
  }
  return port;
}

/** True when the flags open the inspector at startup (`--inspect`, `-brk`, `-wait`). */
export function inspectorOpenedAtStart(args: readonly string[]): boolean {
  return args.some(arg => /^--inspect(?:-brk|-wait)?(?:=|$)/.test(arg));
}

/** Node's own flags of a process (before the script) followed by NODE_OPTIONS. */
export async function nodeFlagsOf(facts: ProcessFacts): Promise<string[]> {
  const scriptIndex = facts.argv.findIndex((arg, i) => i > 0 && !arg.startsWith('-'));
  const nodeFlags = facts.argv.slice(1, scriptIndex < 0 ? undefined : scriptIndex);
  return [...(await readNodeOptions(facts.pid)), ...nodeFlags];
}

/** Reads NODE_OPTIONS from the process environment, split on spaces (empty when unreadable). */
export async function readNodeOptions(pid: number): Promise<string[]> {
  const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
  const entry = environ.split('\0').find(item => item.startsWith('NODE_OPTIONS='));
  return entry ? entry.slice('NODE_OPTIONS='.length).split(/\s+/).filter(Boolean) : [];
}

/**
 * The inspector port of a process when the inspector is open: a port a Gapscope process saw
 * appear after its signal, the port its flags name, or the default 9229 (SIGUSR1 from anyone
 * else opens it there), provided the process itself listens on it. A service of its own on
 * 9229 would be taken for an inspector here: attaching verifies the pid through the port before
 * trusting it.
 */
export async function inspectorPortOf(
  facts: ProcessFacts,
  listeningPorts: readonly number[],
): Promise<number | undefined> {
  const remembered = signalledInspectorPorts.get(facts.pid) ?? notedInspectorPort(facts.pid);
  if (remembered !== undefined && listeningPorts.includes(remembered)) return remembered;

  const flagged = inspectorPortFromFlags(await nodeFlagsOf(facts));
  if (flagged !== undefined && listeningPorts.includes(flagged)) return flagged;
  return listeningPorts.includes(DEFAULT_INSPECTOR_PORT) ? DEFAULT_INSPECTOR_PORT : undefined;
}

/** Numeric entries of /proc. */
async function listPids(): Promise<number[]> {
  return pidsOf(await readdir('/proc').catch(() => [] as string[]));
}

/** The pids among /proc entry names, ascending (readdir gives string order: '10' before '9'). */
export function pidsOf(names: readonly string[]): number[] {
  return names
    .filter(name => /^\d+$/.test(name))
    .map(Number)
    .sort((a, b) => a - b);
}

/**
 * Every running Node process except this one and its ancestors (the `npx` or `npm exec` that
 * started it, an editor's extension host), by ascending pid.
 */
export async function listNodeProcesses(): Promise<NodeProcessInfo[]> {
  const sockets = await readListeningSockets();
  const own = await ancestorsOf(process.pid);
  const found: NodeProcessInfo[] = [];
  for (const pid of await listPids()) {
    if (own.has(pid)) continue;

    const facts = await readProcessFacts(pid);
    if (!facts || !isNodeProcess(facts)) continue;

    const listeningPorts = await listeningPortsOf(pid, sockets);
    const info: NodeProcessInfo = {
      pid,
      commandLine: facts.argv.join(' '),
      cwd: facts.cwd ?? '',
      listeningPorts,
    };
    const inspectorPort = await inspectorPortOf(facts, listeningPorts);
    if (inspectorPort !== undefined) info.inspectorPort = inspectorPort;
    found.push(info);
  }
  return found;
}

/** `pid` and its ancestors, from `/proc/PID/stat` (the parent is the field after the state). */
async function ancestorsOf(pid: number): Promise<Set<number>> {
  const chain = new Set<number>([pid]);
  let current = pid;
  while (current > 1 && chain.size < 64) {
    const stat = await readFile(`/proc/${current}/stat`, 'utf8').catch(() => undefined);
    // The command name may hold spaces and parentheses: the fields follow its last ')'.
    const parent = Number(stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!Number.isInteger(parent) || parent <= 1 || chain.has(parent)) break;
    chain.add(parent);
    current = parent;
  }
  return chain;
}
