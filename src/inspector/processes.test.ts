import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';

import {
  inspectorPortFromFlags,
  isNodeProcess,
  listNodeProcesses,
  parseListeningSockets,
  pidsOf,
} from './processes';

// Lines of /proc/net/tcp, cut after the inode column (the parser reads no further).
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid
   0: 0100007F:240D 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242
   1: 0100007F:1F90 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 4343
   2: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4444`;

test('parseListeningSockets keeps listening sockets only, by inode', () => {
  const sockets = parseListeningSockets(TCP);
  assert.deepEqual(
    [...sockets],
    [
      ['4242', 9229],
      ['4444', 80],
    ],
  );
});

test('inspectorPortFromFlags reads --inspect flags the way Node does', () => {
  assert.equal(inspectorPortFromFlags(['--inspect']), 9229);
  assert.equal(inspectorPortFromFlags(['--inspect=9333']), 9333);
  assert.equal(inspectorPortFromFlags(['--inspect-brk=127.0.0.1:0']), 0);
  assert.equal(inspectorPortFromFlags(['--inspect-port=0']), 0);
  assert.equal(inspectorPortFromFlags(['--max-old-space-size=100']), undefined);
  assert.equal(inspectorPortFromFlags(['--inspect-port=9400', '--inspect']), 9400);
});

test('isNodeProcess trusts the executable name, and errs on "no"', () => {
  const facts = (exe: string | undefined, comm = 'node', argv = ['node', 'x.js']) => ({
    pid: 1,
    comm,
    argv,
    ...(exe === undefined ? {} : { exe }),
  });
  assert.equal(isNodeProcess(facts('/usr/bin/node')), true);
  assert.equal(isNodeProcess(facts('/opt/node20/bin/node20')), true);
  assert.equal(isNodeProcess(facts('/usr/bin/bash', 'node')), false);
  assert.equal(isNodeProcess(facts('/usr/bin/sleep', 'sleep', ['sleep', '60'])), false);
  assert.equal(isNodeProcess(facts(undefined, 'node', ['/usr/bin/node', 'x.js'])), true);
  assert.equal(isNodeProcess(facts(undefined, 'npm', ['npm', 'start'])), false);
});

test('pidsOf keeps the numeric /proc entries, in numeric order', () => {
  assert.deepEqual(pidsOf(['self', '10', '9', '1000', 'net', '99', '2']), [2, 9, 10, 99, 1000]);
});

test('listNodeProcesses lists by ascending pid, numerically', async () => {
  // Several idle Node children, so the list holds more than the machine happens to run.
  const children = Array.from({ length: 3 }, () =>
    spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' }),
  );
  try {
    await Promise.all(children.map(child => once(child, 'spawn')));

    const pids = (await listNodeProcesses()).map(info => info.pid);
    for (const child of children) assert.ok(pids.includes(child.pid!), `pid ${child.pid} listed`);
    assert.deepEqual(
      pids,
      [...pids].sort((a, b) => a - b),
    );
  } finally {
    for (const child of children) child.kill();
  }
});
