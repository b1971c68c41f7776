/**
 * CPU time of a process from `/proc/PID/stat`: utime + stime, which the kernel sums over all
 * threads of the process (the profiler's sampler thread and the inspector's I/O thread
 * included, and threads that already exited). Resolution: one clock tick (10 ms at 100 Hz).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of utime/stime (USER_HZ). */
const TICKS_PER_S = clockTicks();

/** CPU time the process used so far, ms (user + system, all threads). */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name sits in parentheses and may hold spaces: count fields after its end.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / TICKS_PER_S;
}

/** Resident set size of the process, MiB (`VmRSS` of `/proc/PID/status`). */
export function processRssMib(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  return match ? Number(match[1]) / 1024 : NaN;
}

function clockTicks(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}
