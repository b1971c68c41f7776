/**
 * One verified inspector session (see `IInspectorSession`): the CDP connection plus the clean
 * detach that leaves nothing of ours in the target.
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventEmitter, type Event } from '../core/lifecycle';
import { nullLogger, type ILogger } from '../core/logger';
import { AGENT_BINDING_NAME } from './agent/protocol';
import { AGENT_UNINSTALL_EXPRESSION, DELETE_BINDING_EXPRESSION } from './agentScript';
import type { CdpConnection } from './cdp';
import { forgetInspectorPort, listeningPortsOf } from './processes';
import type { IInspectorSession } from './types';

type CloseReason = 'detached' | 'target-exited' | 'error';

/** Something bound to the session that must end before it detaches (a capture). */
export interface ISessionParticipant {
  /** Ends the participant's work in the target (stops our profiler). Must not throw. */
  end(): Promise<void>;
  /**
   * The target is exiting and waits for us to disconnect: collect what can still be had,
   * quickly (the target's exit waits on it). Must not throw.
   */
  targetExiting(): Promise<void>;
}

/** Bound on each request made while the target waits at exit for us to disconnect, ms. */
export const EXIT_REQUEST_TIMEOUT_MS = 2000;

/** Bound on how long an unexpected close waits to see the target gone, ms. */
const EXIT_CONFIRM_MS = 1500;

/**
 * Bound on how long detach waits for the inspector port we opened to close, ms. The close is
 * deferred in the target by `CLOSE_DELAY_MS`; a busy target runs the timer later.
 */
const INSPECTOR_CLOSE_WAIT_MS = 3000;

/** How often /proc is read while waiting for the inspector port to close, ms. */
const PORT_CLOSE_POLL_MS = 10;

/** Bound on each step of a quick detach (`detachNow`), ms. */
const QUICK_STEP_TIMEOUT_MS = 1500;

/** How long the target waits before closing its inspector, ms (our answer leaves first). */
const CLOSE_DELAY_MS = 100;

/**
 * Closes the inspector from inside the target. The `inspector` module is taken during the
 * evaluate (its `require` dies with it) and `close()` is deferred so the evaluate's answer
 * leaves first; the unref'd timer never keeps the target alive.
 */
const CLOSE_INSPECTOR_EXPRESSION =
  '(function (inspector) { const timer = setTimeout(function () { try { inspector.close(); }' +
  ` catch (error) {} }, ${CLOSE_DELAY_MS}); timer.unref(); return true; })(require("inspector"))`;

export class InspectorSession implements IInspectorSession {
  private readonly didClose = new EventEmitter<{ reason: CloseReason }>();
  private readonly participants = new Set<ISessionParticipant>();
  private detaching: Promise<void> | undefined;
  private closeReason: CloseReason | undefined;

  /** True while a capture runs on this session (one at a time: they share one profiler). */
  capturing = false;

  /**
   * True once a capture of this session added our binding and agent: detach removes them only
   * then (another Gapscope session's agent in the same target is not ours to remove).
   */
  agentInstalledByUs = false;

  readonly onDidClose: Event<{ reason: CloseReason }> = this.didClose.event;

  constructor(
    /** The live connection; the capture sends its CDP requests through it. */
    readonly connection: CdpConnection,
    readonly pid: number,
    readonly inspectorUrl: string,
    readonly inspectorOpenedByUs: boolean,
    readonly logger: ILogger = nullLogger,
    /** Bound on each CDP request of this session, ms. */
    readonly timeoutMs = 10_000,
  ) {
    connection.onDidClose(() => void this.onConnectionClosed());
    connection.onUntyped('NodeRuntime.waitingForDisconnect', () => void this.onTargetExiting());
  }

  /**
   * Asks Node to tell us when the target is about to exit. A process whose inspector was
   * opened by flag or signal waits at exit until every client disconnects; without this it
   * would hang there ("Waiting for the debugger to disconnect...") until we detach.
   */
  async watchForExit(): Promise<void> {
    await this.connection.sendUntyped(
      'NodeRuntime.notifyWhenWaitingForDisconnect',
      { enabled: true },
      { timeoutMs: this.timeoutMs },
    );
  }

  /** True once the connection ended (detach or target exit). */
  get isClosed(): boolean {
    return this.connection.isClosed;
  }

  /** Registers a participant that `detach` ends first; returns a function that unregisters. */
  addParticipant(participant: ISessionParticipant): () => void {
    this.participants.add(participant);
    return () => this.participants.delete(participant);
  }

  /** Evaluates an expression in the target and returns its value (by value). */
  async evaluate<T = unknown>(
    expression: string,
    includeCommandLineAPI = false,
    timeoutMs = this.timeoutMs,
  ): Promise<T> {
    const answer = await this.connection.send(
      'Runtime.evaluate',
      { expression, includeCommandLineAPI, returnByValue: true, silent: true },
      { timeoutMs },
    );
    if (answer.exceptionDetails) {
      const description = answer.exceptionDetails.exception?.description;
      throw new Error(
        `Evaluation failed in the target: ${description ?? answer.exceptionDetails.text}`,
      );
    }
    return answer.result.value as T;
  }

  detach(): Promise<void> {
    this.detaching ??= this.runDetach();
    return this.detaching;
  }

  /**
   * Leaves at once without ending the capture (a second Ctrl-C): removes the agent and the
   * binding, closes the inspector we opened and disconnects, each step bounded by `boundMs`.
   * Whatever the first, orderly detach was still doing is abandoned.
   */
  async detachNow(boundMs = QUICK_STEP_TIMEOUT_MS): Promise<void> {
    this.closeReason ??= 'detached';
    if (this.connection.isClosed) return;

    const steps: Promise<boolean>[] = [];
    if (this.agentInstalledByUs) {
      steps.push(
        this.step('uninstall the agent', () =>
          this.evaluate(AGENT_UNINSTALL_EXPRESSION, false, boundMs),
        ),
        this.step('delete the binding global', () =>
          this.evaluate(DELETE_BINDING_EXPRESSION, false, boundMs),
        ),
      );
    }
    if (this.inspectorOpenedByUs) {
      steps.push(
        this.step('close the inspector', () =>
          this.evaluate(CLOSE_INSPECTOR_EXPRESSION, true, boundMs),
        ),
      );
    }
    await Promise.all(steps);
    await this.connection.close();
    if (this.inspectorOpenedByUs) forgetInspectorPort(this.pid);
    this.logger.info('attach', 'detached at once', { pid: this.pid });
  }

  private async runDetach() {
    this.closeReason ??= 'detached';
    for (const participant of [...this.participants]) await participant.end();
    this.participants.clear();
    if (this.connection.isClosed) return;

    if (this.agentInstalledByUs) {
      await this.step('uninstall the agent', () => this.evaluate(AGENT_UNINSTALL_EXPRESSION));
      await this.step('remove the binding', () =>
        this.connection.send('Runtime.removeBinding', { name: AGENT_BINDING_NAME }),
      );
      await this.step('delete the binding global', () => this.evaluate(DELETE_BINDING_EXPRESSION));
    }
    const closing =
      this.inspectorOpenedByUs &&
      (await this.step('close the inspector', () =>
        this.evaluate(CLOSE_INSPECTOR_EXPRESSION, true),
      ));
    await this.connection.close();
    // The target closes its inspector a moment after we leave. Until it has, a new attach would
    // see the old port still open, signal a process whose inspector is open (a no-op) and then
    // wait for a port that never comes: detach ends only once the target is as we found it.
    if (closing) await this.waitForInspectorClosed();
    if (this.inspectorOpenedByUs) forgetInspectorPort(this.pid);
    this.logger.info('attach', 'detached', { pid: this.pid });
  }

  /** Waits (bounded) until the target no longer listens on the inspector port we opened. */
  private async waitForInspectorClosed() {
    const port = portOfUrl(this.inspectorUrl);
    if (port === undefined) return;

    const deadline = Date.now() + INSPECTOR_CLOSE_WAIT_MS;
    while (Date.now() < deadline) {
      const ports = await listeningPortsOf(this.pid);
      // A process that is gone holds no fds, so it lists no port either.
      if (!ports.includes(port)) return;

      await sleep(PORT_CLOSE_POLL_MS);
    }
    this.logger.warn('attach.detach', 'the inspector port is still open', {
      pid: this.pid,
      port,
      waitedMs: INSPECTOR_CLOSE_WAIT_MS,
    });
  }

  /**
   * Runs one detach step; a failure is logged and the next steps still run. True when the step
   * ran and succeeded.
   */
  private async step(what: string, run: () => Promise<unknown>): Promise<boolean> {
    if (this.connection.isClosed) return false;

    try {
      await run();
      return true;
    } catch (error) {
      this.logger.warn('attach.detach', `could not ${what}`, { error: String(error) });
      return false;
    }
  }

  private async onTargetExiting() {
    if (this.closeReason) return;

    this.closeReason = 'target-exited';
    this.logger.info('attach', 'the target is exiting', { pid: this.pid });
    for (const participant of [...this.participants]) await participant.targetExiting();
    this.participants.clear();
    if (this.inspectorOpenedByUs) forgetInspectorPort(this.pid);
    await this.connection.close();
  }

  private async onConnectionClosed() {
    const reason = this.closeReason ?? ((await processGone(this.pid)) ? 'target-exited' : 'error');
    this.closeReason = reason;
    this.logger.info('attach', 'session closed', { pid: this.pid, reason });
    this.didClose.fire({ reason });
    this.didClose.dispose();
  }
}

/** Waits (bounded) for the process to be gone or a zombie; false if it is still running. */
async function processGone(pid: number): Promise<boolean> {
  const deadline = Date.now() + EXIT_CONFIRM_MS;
  while (Date.now() < deadline) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
    const state = stat?.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (stat === undefined || state === 'Z' || state === 'X') return true;

    await sleep(20);
  }
  return false;
}

/** The port of a `ws://host:port/...` URL; undefined when it names none. */
function portOfUrl(url: string): number | undefined {
  try {
    const port = Number(new URL(url).port);
    return port > 0 ? port : undefined;
  } catch {
    return undefined;
  }
}
