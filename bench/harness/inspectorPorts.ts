/**
 * Waiting for a detach to finish in the target. Detach closes an inspector it opened from inside
 * the target; a SIGUSR1 sent before it closed would open nothing and the next attach would wait
 * for a port that never comes. Detach now resolves only once that port closed; the benchmarks
 * attach many times in a row, so they check it rather than trust it.
 */
import { listeningPortsOf } from '../../src/inspector/processes';

/** Resolves once `pid` listens on no port outside `before`; throws after 5 s. */
export async function waitForPortsClosed(pid: number, before: number[]): Promise<void> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const ports = await listeningPortsOf(pid);
    if (ports.every(port => before.includes(port))) return;

    await new Promise(resolve => setTimeout(resolve, 20));
  }
  throw new Error(`the inspector of ${pid} stayed open after detach`);
}
