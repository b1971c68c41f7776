/**
 * The expressions the capture and the session evaluate in the target to install and remove
 * the agent (`dist/agent.js`, built from `agent/agent.ts`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_SCRIPT_URL } from '../core/frames';
import { AGENT_BINDING_NAME, AGENT_STATE_KEY, type AgentConfig } from './agent/protocol';

let cachedBundle: string | undefined;

/**
 * The agent bundle's text. It sits next to the bundled CLI/server in `dist/`, or, when running
 * from sources (tests through tsx), in the repository's `dist/` after `npm run build`.
 */
export function readAgentBundle(): string {
  if (cachedBundle !== undefined) return cachedBundle;

  const candidates = [join(__dirname, 'agent.js'), join(__dirname, '..', '..', 'dist', 'agent.js')];
  const path = candidates.find(candidate => existsSync(candidate));
  if (!path) throw new Error(`The agent bundle is missing (looked in ${candidates.join(', ')})`);

  const text = readFileSync(path, 'utf8').replace(/^\/\/# sourceMappingURL=.*$/m, '');
  cachedBundle = text;
  return text;
}

/**
 * Installs the agent. The bundle declares `var __gapscopeAgent`; wrapping it in a function
 * keeps that name off the target's globals. `require` is the evaluate's command-line API one,
 * which only lives during this evaluate: the agent takes its modules synchronously.
 */
export function agentInstallExpression(config: AgentConfig): string {
  return (
    '(function (require) {\n' +
    readAgentBundle() +
    `\nreturn __gapscopeAgent.install(${JSON.stringify(config)}, require);\n})(require)\n` +
    `//# sourceURL=${AGENT_SCRIPT_URL}`
  );
}

/**
 * What another Gapscope agent in the target says about itself (an `AgentProbe`): a fresh lease
 * means another capture runs there now.
 */
export const AGENT_PROBE_EXPRESSION =
  `(function () { const state = globalThis[Symbol.for(${JSON.stringify(AGENT_STATE_KEY)})];` +
  ' if (!state) return { present: false, fresh: false };' +
  " if (typeof state.lease !== 'function') return { present: true, fresh: false };" +
  ' const lease = state.lease();' +
  ' return { present: true, fresh: lease.fresh, sinceRenewalMs: lease.sinceRenewalMs }; })()';

/** Renews the agent's lease; evaluates to false when no agent is there (it expired). */
export const AGENT_RENEW_EXPRESSION =
  `(function () { const state = globalThis[Symbol.for(${JSON.stringify(AGENT_STATE_KEY)})];` +
  " if (!state || typeof state.renew !== 'function') return false; state.renew(); return true;" +
  ' })()';

/** Uninstalls the agent if present; evaluates to true when one was removed. */
export const AGENT_UNINSTALL_EXPRESSION =
  `(function () { const state = globalThis[Symbol.for(${JSON.stringify(AGENT_STATE_KEY)})];` +
  ' if (!state) return false; state.uninstall(); return true; })()';

/** Asks the agent for an immediate flush (records reach us as a binding call). */
export const AGENT_FLUSH_EXPRESSION =
  `(function () { const state = globalThis[Symbol.for(${JSON.stringify(AGENT_STATE_KEY)})];` +
  ' if (!state) return false; state.flush(); return true; })()';

/** Removes the binding's global function (Runtime.removeBinding leaves it behind). */
export const DELETE_BINDING_EXPRESSION = `delete globalThis[${JSON.stringify(AGENT_BINDING_NAME)}]`;
