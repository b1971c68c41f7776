/**
 * Where each profile node's time is charged in the user's code: a line of the first user frame
 * on the stack, found once per node and cached. Own time is split over the node's
 * `positionTicks` (with ticks of inlined callees moved to the callee's lines); time below the
 * user frame goes to the user's call site of the frame below it, keeping that frame as detail.
 */
import type Cdp from 'devtools-protocol';
import {
  type CallInfo,
  type FunctionInfo,
  type ScriptInfo,
  callsTo,
  functionAt,
  functionOnLine,
  parseScript,
} from './callSites';
import {
  AGENT_SCRIPT_URL,
  FrameCategory,
  innerFrameName,
  isUserFrame,
  packageName,
} from './frames';
import type { SourceLocation } from './model';
import type { ProfileModel } from './profileModel';
import type { SourceMapResolver } from './sourceMaps';

/** A place time is charged to: a user line (with the inner frame below it), or no line. */
export interface ChargeSite {
  id: number;
  /** The user's line, in the file the user edits; absent when no user frame was on the stack. */
  location?: SourceLocation;
  functionName: string;
  /** The frame below the user's line that took the time (`crypto.pbkdf2Sync`). */
  inner?: string;
  /** How the site was found when it is a guess (`inlined code`, split between calls). */
  detail?: string;
  /** `file:line` of the location, '' without one: hot lines group sites by it. */
  lineKey: string;
  /** Qualified names called on the generated line (`JSON.stringify`), for hints. */
  lineCalls: string[];
}

/** A node's time split over sites; weights add up to 1. `primary` has the biggest weight. */
export interface NodeCharge {
  sites: number[];
  weights: number[];
  primary: number;
}

/** A generated position before source mapping, with what the site should say about it. */
interface GeneratedSite {
  url: string;
  /** 1-based. */
  line: number;
  /** 0-based, when known. */
  column?: number;
  functionName: string;
  inner?: string;
  detail?: string;
}

/** Resolves and caches the charge of every node of a profile model. */
export class LineResolver {
  /** Every site handed out, indexed by `ChargeSite.id`. */
  readonly sites: ChargeSite[] = [];
  private readonly siteIds = new Map<string, number>();
  private readonly charges: (NodeCharge | undefined)[];
  private readonly scripts = new Map<string, ScriptInfo | null>();
  private readonly callsByLine = new Map<string, Map<number, string[]>>();
  private callees: Map<string, Cdp.Runtime.CallFrame[]> | undefined;
  private children: Map<number, number[]> | undefined;

  constructor(
    private readonly model: ProfileModel,
    private readonly sourceMaps: SourceMapResolver,
  ) {
    this.charges = new Array<NodeCharge | undefined>(model.nodes.length);
  }

  /** The charge of a node's self time (cached). */
  chargeOf(node: number): NodeCharge {
    let charge = this.charges[node];
    if (!charge) {
      charge = this.computeCharge(node);
      this.charges[node] = charge;
    }
    return charge;
  }

  /** The site of Gapscope's own work in the target; -1 until a sample was charged to it. */
  agentSite = -1;

  /** True when the node's self time is the agent's overhead (see `isAgentWork`). */
  isAgentOverhead(node: number): boolean {
    const primary = this.chargeOf(node).primary;
    return this.agentSite >= 0 && primary === this.agentSite;
  }

  private computeCharge(node: number): NodeCharge {
    if (this.model.category[node] === FrameCategory.Program) {
      return single(this.internSite({ functionName: '(program)', inner: '(program)' }));
    }
    if (this.isAgentWork(node)) {
      this.agentSite = this.internSite({ functionName: AGENT_FUNCTION, inner: AGENT_OVERHEAD });
      return single(this.agentSite);
    }

    let child = -1;
    let user = node;
    while (user >= 0 && !isUserFrame(this.frame(user))) {
      child = user;
      user = this.model.parent[user] ?? -1;
    }
    if (user < 0) return single(this.noUserFrameSite(node));
    if (user === node) return this.ownTimeCharge(node);
    return this.callSiteCharge(user, child);
  }

  /**
   * The agent's own frames (its `sourceURL`), or the async hook machinery between the user's
   * frame and the leaf: those hooks run because the capture switched them on. A service with
   * hooks of its own shares that machinery; it is still not the user line's work.
   */
  private isAgentWork(node: number): boolean {
    let belowUser = true;
    for (let at = node; at >= 0; at = this.model.parent[at] ?? -1) {
      const frame = this.frame(at);
      if (frame.url === AGENT_SCRIPT_URL) return true;
      if (isUserFrame(frame)) belowUser = false;
      if (belowUser && frame.url === ASYNC_HOOKS_URL) return true;
    }
    return false;
  }

  private frame(node: number): Cdp.Runtime.CallFrame {
    return (this.model.nodes[node] as Cdp.Profiler.ProfileNode).callFrame;
  }

  /** No user frame at all (a library resumed by setImmediate): name its topmost package frame. */
  private noUserFrameSite(node: number): number {
    let named = node;
    for (let at = node; at >= 0; at = this.model.parent[at] ?? -1) {
      const frame = this.frame(at);
      if (packageName(frame.url)) named = at;
    }
    const frame = this.frame(named);
    return this.internSite({ functionName: frame.functionName, inner: innerFrameName(frame) });
  }

  /** The user frame is the leaf: split its time over its tick lines. */
  private ownTimeCharge(node: number): NodeCharge {
    const profileNode = this.model.nodes[node] as Cdp.Profiler.ProfileNode;
    const frame = profileNode.callFrame;
    const ticks = profileNode.positionTicks ?? [];
    if (ticks.length === 0) {
      const site = { url: frame.url, line: frame.lineNumber + 1, functionName: frame.functionName };
      return single(this.internGenerated(site));
    }

    let total = 0;
    for (const tick of ticks) total += tick.ticks;
    const weights = new Map<number, number>();
    for (const tick of ticks) {
      const site = this.internGenerated(this.ownLine(frame, tick.line));
      weights.set(site, (weights.get(site) ?? 0) + (total > 0 ? tick.ticks / total : 0));
    }
    return fromWeights(weights);
  }

  /**
   * The generated line a tick of `frame` stands for. A tick outside the function's range comes
   * from an inlined callee: another function of this script, a callee script seen in the
   * profile, else the caller's call line of that callee, else the function's first line.
   */
  private ownLine(frame: Cdp.Runtime.CallFrame, line: number): GeneratedSite {
    const own: GeneratedSite = { url: frame.url, line, functionName: frame.functionName };
    const script = this.scriptInfo(frame.url);
    if (!script) return own;

    const fn = functionAt(script, frame.lineNumber + 1, frame.columnNumber);
    if (!fn || (line >= fn.startLine && line <= fn.endLine)) return own;

    const sameScript = functionOnLine(script, line);
    if (sameScript) return { ...own, functionName: sameScript.name };

    const callees = this.calleesOf(frame);
    for (const callee of callees) {
      const calleeScript = this.scriptInfo(callee.url);
      const calleeFn =
        calleeScript && functionAt(calleeScript, callee.lineNumber + 1, callee.columnNumber);
      if (calleeFn && line >= calleeFn.startLine && line <= calleeFn.endLine) {
        return { url: callee.url, line, functionName: callee.functionName };
      }
    }
    for (const callee of callees) {
      const calleeScript = this.scriptInfo(callee.url);
      const calleeFn = calleeScript && functionOnLine(calleeScript, line);
      if (calleeFn) return { url: callee.url, line, functionName: calleeFn.name };
    }

    const inlined = { ...own, detail: 'inlined code' };
    for (const callee of callees) {
      const call = callsTo(fn, callee.functionName)[0];
      if (call) return { ...inlined, line: call.line, column: call.column };
    }
    return { ...inlined, line: fn.startLine };
  }

  /** Time below the user frame: the user's call(s) of the frame right below it. */
  private callSiteCharge(user: number, child: number): NodeCharge {
    const frame = this.frame(user);
    const below = this.frame(child);
    const inner = innerFrameName(below);
    const base = { url: frame.url, functionName: frame.functionName, inner };
    const script = this.scriptInfo(frame.url);
    const fn =
      script && (functionAt(script, frame.lineNumber + 1, frame.columnNumber) ?? script.topLevel);
    let calls = fn ? callsTo(fn, below.functionName) : [];
    let callInner: (name: string) => string = () => inner;
    if (calls.length === 0 && fn && below.url !== '') {
      // Node's wrappers run under another name (`deflateSync` is `syncBufferWrapper`): take the
      // calls no other child frame of this node explains.
      calls = unexplainedCalls(fn, this.childNames(user));
      const prefix = inner.slice(0, inner.lastIndexOf('.'));
      if (prefix) callInner = name => `${prefix}.${name}`;
    }
    if (calls.length === 0) {
      const line = fn && fn !== script?.topLevel ? fn.startLine : frame.lineNumber + 1;
      return single(this.internGenerated({ ...base, line, detail: 'call site not found' }));
    }

    const detail = calls.length > 1 ? `one of ${calls.length} calls, time split evenly` : undefined;
    const weights = new Map<number, number>();
    for (const call of calls) {
      const site = this.internGenerated({
        ...base,
        inner: callInner(call.name),
        line: call.line,
        column: call.column,
        detail,
      });
      weights.set(site, (weights.get(site) ?? 0) + 1 / calls.length);
    }
    return fromWeights(weights);
  }

  /** The function names of a node's children in the profile. */
  private childNames(node: number): Set<string> {
    if (!this.children) {
      this.children = new Map();
      this.model.parent.forEach((parent, child) => {
        const list = this.children?.get(parent);
        if (list) list.push(child);
        else this.children?.set(parent, [child]);
      });
    }
    const names = (this.children.get(node) ?? []).map(child => this.frame(child).functionName);
    return new Set(names.map(name => name.slice(name.lastIndexOf('.') + 1)));
  }

  /** User frames called by the function of `frame` from other scripts, anywhere in the profile. */
  private calleesOf(frame: Cdp.Runtime.CallFrame): Cdp.Runtime.CallFrame[] {
    if (!this.callees) this.callees = collectCallees(this.model);
    return this.callees.get(functionKey(frame)) ?? [];
  }

  private scriptInfo(url: string): ScriptInfo | undefined {
    let info = this.scripts.get(url);
    if (info === undefined) {
      const source = this.sourceMaps.sourceOf(url);
      info = (source !== undefined && parseScript(source)) || null;
      this.scripts.set(url, info);
    }
    return info ?? undefined;
  }

  private internGenerated(site: GeneratedSite): number {
    const location = this.sourceMaps.resolve(site.url, site.line, site.column);
    const lineCalls = this.lineCalls(site.url, site.line);
    const result: Omit<ChargeSite, 'id' | 'lineKey'> = {
      location,
      functionName: site.functionName,
      lineCalls,
    };
    if (site.inner) result.inner = site.inner;
    if (site.detail) result.detail = site.detail;
    return this.internSite(result);
  }

  private internSite(
    site: Omit<ChargeSite, 'id' | 'lineKey' | 'lineCalls'> & { lineCalls?: string[] },
  ) {
    const location = site.location;
    const lineKey = location ? `${location.file}:${location.line}` : '';
    const key = `${lineKey}|${site.functionName}|${site.inner ?? ''}|${site.detail ?? ''}`;
    const known = this.siteIds.get(key);
    if (known !== undefined) return known;

    const id = this.sites.length;
    this.sites.push({ ...site, id, lineKey, lineCalls: site.lineCalls ?? [] });
    this.siteIds.set(key, id);
    return id;
  }

  private lineCalls(url: string, line: number): string[] {
    let byLine = this.callsByLine.get(url);
    if (!byLine) {
      byLine = indexCallsByLine(this.scriptInfo(url));
      this.callsByLine.set(url, byLine);
    }
    return byLine.get(line) ?? [];
  }
}

/** The function name and inner frame the report shows for the agent's own work. */
const AGENT_FUNCTION = '(gapscope agent)';
export const AGENT_OVERHEAD = 'Gapscope agent overhead';

/** Node's module running async hooks (`emitInitScript`, `promiseInitHook`, ...). */
const ASYNC_HOOKS_URL = 'node:internal/async_hooks';

function single(site: number): NodeCharge {
  return { sites: [site], weights: [1], primary: site };
}

function fromWeights(weights: Map<number, number>): NodeCharge {
  const charge: NodeCharge = { sites: [], weights: [], primary: -1 };
  let best = -1;
  for (const [site, weight] of weights) {
    charge.sites.push(site);
    charge.weights.push(weight);
    if (weight > best) {
      best = weight;
      charge.primary = site;
    }
  }
  return charge;
}

/** Namespaces of V8 builtins that run without a frame of their own (their time is self time). */
const FRAMELESS_BUILTINS = new Set([
  'JSON',
  'Math',
  'Object',
  'Array',
  'Number',
  'String',
  'Reflect',
]);

/** Calls of `fn` whose name no child frame has, skipping frameless builtins. */
function unexplainedCalls(fn: FunctionInfo, childNames: Set<string>): CallInfo[] {
  return fn.calls.filter(call => {
    if (childNames.has(call.name)) return false;
    const namespace = call.qualifiedName.slice(0, call.qualifiedName.indexOf('.'));
    return !FRAMELESS_BUILTINS.has(namespace);
  });
}

function functionKey(frame: Cdp.Runtime.CallFrame): string {
  return `${frame.url}:${frame.lineNumber}:${frame.columnNumber}`;
}

/** For each user function: the user functions of other scripts it calls somewhere. */
function collectCallees(model: ProfileModel): Map<string, Cdp.Runtime.CallFrame[]> {
  const result = new Map<string, Cdp.Runtime.CallFrame[]>();
  const seen = new Set<string>();
  for (let i = 0; i < model.nodes.length; i++) {
    const parent = model.parent[i] ?? -1;
    const child = model.nodes[i]?.callFrame;
    const caller = parent >= 0 ? model.nodes[parent]?.callFrame : undefined;
    if (!child || !caller || !isUserFrame(child) || !isUserFrame(caller)) continue;
    if (child.url === caller.url) continue;

    const pair = `${functionKey(caller)}>${functionKey(child)}`;
    if (seen.has(pair)) continue;
    seen.add(pair);
    const list = result.get(functionKey(caller)) ?? [];
    list.push(child);
    result.set(functionKey(caller), list);
  }
  return result;
}

function indexCallsByLine(script: ScriptInfo | undefined): Map<number, string[]> {
  const byLine = new Map<number, string[]>();
  if (!script) return byLine;

  const functions: FunctionInfo[] = [script.topLevel, ...script.functions];
  for (const fn of functions) {
    for (const call of fn.calls) {
      const list = byLine.get(call.line) ?? [];
      if (!list.includes(call.qualifiedName)) list.push(call.qualifiedName);
      byLine.set(call.line, list);
    }
  }
  return byLine;
}
