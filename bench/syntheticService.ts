/**
 * The service the synthetic benchmark session pretends to profile: its scripts, its call tree
 * (4–7 frames deep) and its endpoints, each a list of CPU phases and waits.
 */
import type Cdp from 'devtools-protocol';
import type { RecordedWait, ScriptRecord } from '../src/core/session';

/** The user's files: handlers call helpers in other files, helpers call Node and natives. */
const SCRIPTS: Record<string, string> = {
  'file:///app/server.js': [
    "const db = require('./db');",
    "const auth = require('./auth');",
    "const report = require('./report');",
    'function onRequest(req, res) {',
    '  const body = parseBody(req);',
    '  return route(req, res, body);',
    '}',
    'function parseBody(req) {',
    '  return JSON.parse(req.raw || "{}");',
    '}',
    'function route(req, res, body) {',
    '  if (req.url.startsWith("/users/")) return handleUser(req, res);',
    '  if (req.url === "/login") return handleLogin(req, res, body);',
    '  if (req.url === "/report") return handleReport(req, res);',
    '  return handleHealth(req, res);',
    '}',
    'function handleUser(req, res) {',
    '  const user = db.loadUser(req.url.slice(7));',
    '  res.end(JSON.stringify(user));',
    '}',
    'function handleLogin(req, res, body) {',
    '  const ok = auth.checkPassword(body.user, body.password);',
    '  res.end(ok ? "ok" : "no");',
    '}',
    'function handleReport(req, res) {',
    '  const data = report.buildReport();',
    '  res.end(report.compress(data));',
    '}',
    'function handleHealth(req, res) {',
    '  let sum = 0;',
    '  for (let i = 0; i < 100; i++) sum += i;',
    '  res.end(String(sum));',
    '}',
    'module.exports = { onRequest };',
  ].join('\n'),
  'file:///app/db.js': [
    'function loadUser(id) {',
    '  const row = { id, name: "user" + id };',
    '  return normalize(row);',
    '}',
    'function normalize(row) {',
    '  return Object.assign({}, row, { name: row.name.trim() });',
    '}',
    'module.exports = { loadUser };',
  ].join('\n'),
  'file:///app/auth.js': [
    "const crypto = require('node:crypto');",
    'function checkPassword(user, password) {',
    '  const salt = Buffer.from(String(user));',
    '  const hash = crypto.pbkdf2Sync(password, salt, 1000, 32, "sha256");',
    '  return hash.length === 32;',
    '}',
    'module.exports = { checkPassword };',
  ].join('\n'),
  'file:///app/report.js': [
    "const zlib = require('node:zlib');",
    'function buildReport() {',
    '  const rows = [];',
    '  for (let i = 0; i < 1000; i++) {',
    '    rows.push({ i, square: i * i });',
    '  }',
    '  return JSON.stringify(rows);',
    '}',
    'function compress(data) {',
    '  return zlib.deflateSync(data);',
    '}',
    'module.exports = { buildReport, compress };',
  ].join('\n'),
};

/** A profile node of the fixed call tree; `parent` is a node id. */
interface TreeNode {
  id: number;
  parent?: number;
  functionName: string;
  url: string;
  ticks?: number[];
}

/**
 * The call tree shared by every chunk (node ids are per chunk in CDP, reused here). `ticks` are
 * the 1-based script lines of the node's `positionTicks`.
 */
export const TREE: TreeNode[] = [
  { id: 1, functionName: '(root)', url: '' },
  { id: 2, parent: 1, functionName: '(program)', url: '' },
  { id: 3, parent: 1, functionName: '(idle)', url: '' },
  { id: 4, parent: 1, functionName: '(garbage collector)', url: '' },
  {
    id: 5,
    parent: 1,
    functionName: 'processTicksAndRejections',
    url: 'node:internal/process/task_queues',
  },
  { id: 6, parent: 5, functionName: 'emit', url: 'node:events' },
  { id: 7, parent: 6, functionName: 'onRequest', url: 'file:///app/server.js', ticks: [5, 6] },
  { id: 8, parent: 7, functionName: 'parseBody', url: 'file:///app/server.js' },
  { id: 9, parent: 8, functionName: 'parse', url: '' },
  { id: 10, parent: 7, functionName: 'route', url: 'file:///app/server.js', ticks: [12, 13] },
  { id: 11, parent: 10, functionName: 'handleUser', url: 'file:///app/server.js' },
  { id: 12, parent: 11, functionName: 'loadUser', url: 'file:///app/db.js', ticks: [2] },
  { id: 13, parent: 12, functionName: 'normalize', url: 'file:///app/db.js', ticks: [6] },
  { id: 14, parent: 11, functionName: 'stringify', url: '' },
  { id: 15, parent: 10, functionName: 'handleLogin', url: 'file:///app/server.js', ticks: [22] },
  { id: 16, parent: 15, functionName: 'checkPassword', url: 'file:///app/auth.js', ticks: [3] },
  {
    id: 17,
    parent: 16,
    functionName: 'pbkdf2Sync',
    url: 'node:internal/crypto/pbkdf2',
  },
  { id: 18, parent: 10, functionName: 'handleReport', url: 'file:///app/server.js' },
  { id: 19, parent: 18, functionName: 'buildReport', url: 'file:///app/report.js', ticks: [4, 5] },
  { id: 20, parent: 19, functionName: 'stringify', url: '' },
  { id: 21, parent: 18, functionName: 'compress', url: 'file:///app/report.js' },
  { id: 22, parent: 21, functionName: 'deflateSync', url: 'node:zlib' },
  { id: 23, parent: 10, functionName: 'handleHealth', url: 'file:///app/server.js', ticks: [31] },
];

export const PROGRAM = 2;
export const IDLE = 3;
export const GC = 4;

/** A step of a request: CPU on some leaves (node id -> weight), or a wait off the thread. */
export interface CpuPhase {
  cpuUs: number;
  /** Leaf node id and its weight among the phase's samples. */
  leaves: [number, number][];
}
export interface WaitPhase {
  waitUs: number;
  span?: string;
  wait?: Pick<RecordedWait, 'type' | 'kind' | 'peer'>;
}
export type Phase = CpuPhase | WaitPhase;

/** An endpoint: its URL, its share of the traffic and the phases of one request. */
export interface EndpointSpec {
  method: string;
  url: (n: number) => string;
  share: number;
  phases: Phase[];
}

const PARSE: Phase = {
  cpuUs: 300,
  leaves: [
    [7, 1],
    [9, 2],
    [10, 1],
  ],
};

export const ENDPOINTS: EndpointSpec[] = [
  {
    method: 'GET',
    url: n => `/users/${n}`,
    share: 0.55,
    phases: [
      PARSE,
      { waitUs: 2_000, span: 'db.query users' },
      {
        cpuUs: 900,
        leaves: [
          [12, 1],
          [13, 2],
          [14, 3],
        ],
      },
    ],
  },
  {
    method: 'POST',
    url: () => '/login',
    share: 0.15,
    phases: [
      PARSE,
      { waitUs: 1_200, wait: { type: 'TCPWRAP', kind: 'socket', peer: '127.0.0.1:6379' } },
      {
        cpuUs: 7_000,
        leaves: [
          [16, 1],
          [17, 12],
        ],
      },
      { waitUs: 800, span: 'db.query sessions' },
      { cpuUs: 200, leaves: [[15, 1]] },
    ],
  },
  {
    method: 'GET',
    url: () => '/report',
    share: 0.1,
    phases: [
      PARSE,
      { waitUs: 3_000, span: 'db.query orders' },
      {
        cpuUs: 4_000,
        leaves: [
          [19, 2],
          [20, 3],
        ],
      },
      { waitUs: 400 },
      { cpuUs: 2_500, leaves: [[22, 1]] },
    ],
  },
  {
    method: 'GET',
    url: () => '/health',
    share: 0.2,
    phases: [{ cpuUs: 150, leaves: [[23, 1]] }],
  },
];

export function profileNodes(): Cdp.Profiler.ProfileNode[] {
  return TREE.map(spec => {
    const { lineNumber, columnNumber } = functionPosition(spec);
    const node: Cdp.Profiler.ProfileNode = {
      id: spec.id,
      callFrame: {
        functionName: spec.functionName,
        scriptId: '1',
        url: spec.url,
        lineNumber,
        columnNumber,
      },
      children: TREE.filter(child => child.parent === spec.id).map(child => child.id),
    };
    if (spec.ticks) {
      node.positionTicks = spec.ticks.map((line, k) => ({ line, ticks: 3 + k }));
    }
    return node;
  });
}

/** The 0-based position of `function name` in the user's script, as V8 reports it. */
function functionPosition(spec: TreeNode): { lineNumber: number; columnNumber: number } {
  const source = SCRIPTS[spec.url];
  if (!source) return { lineNumber: spec.url ? 10 : -1, columnNumber: spec.url ? 2 : -1 };

  const lines = source.split('\n');
  const lineNumber = lines.findIndex(line => line.startsWith(`function ${spec.functionName}(`));
  return { lineNumber, columnNumber: `function ${spec.functionName}`.length };
}

export function scriptRecords(): ScriptRecord[] {
  return Object.entries(SCRIPTS).map(([url, source]) => ({ url, source }));
}
