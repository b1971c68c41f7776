/**
 * What the generated JS of a script says about itself, parsed once with acorn: the functions
 * with their line ranges, and the call/new expressions each function makes directly (not those
 * of nested functions). The profile knows only which function called which, so call sites come
 * from here.
 */
import * as acorn from 'acorn';
import * as walk from 'acorn-walk';

/** A function of a script. Lines are 1-based, columns 0-based (acorn's convention). */
export interface FunctionInfo {
  name: string;
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
  calls: CallInfo[];
}

/** A call or `new` expression. */
export interface CallInfo {
  /** The called name: the identifier, or the member's property (`pbkdf2Sync` of `c.pbkdf2Sync`). */
  name: string;
  /** `object.property` when the callee is a member of an identifier (`JSON.stringify`). */
  qualifiedName: string;
  /** 1-based line and 0-based column of the callee's name. */
  line: number;
  column: number;
}

/** A parsed script. `topLevel` holds the calls made outside every function. */
export interface ScriptInfo {
  functions: FunctionInfo[];
  topLevel: FunctionInfo;
}

/** Parses a script (module or classic); undefined when acorn cannot read it. */
export function parseScript(source: string): ScriptInfo | undefined {
  const ast = tryParse(source, 'module') ?? tryParse(source, 'script');
  if (!ast) return undefined;

  const topLevel: FunctionInfo = {
    name: '(top level)',
    startLine: 1,
    startColumn: 0,
    endLine: Number.MAX_SAFE_INTEGER,
    endColumn: 0,
    calls: [],
  };
  // acorn-walk calls back children first, so functions are collected before their calls.
  const functions: FunctionInfo[] = [];
  const byNode = new Map<acorn.Node, FunctionInfo>();
  walk.fullAncestor(ast, (node, _state, ancestors) => {
    if (!isFunction(node)) return;

    const info = functionInfo(node, ancestors);
    byNode.set(node, info);
    functions.push(info);
  });
  walk.fullAncestor(ast, (node, _state, ancestors) => {
    if (node.type !== 'CallExpression' && node.type !== 'NewExpression') return;

    const call = callInfo(node as acorn.CallExpression | acorn.NewExpression);
    if (!call) return;
    (byNode.get(innermostFunction(ancestors) as acorn.Node) ?? topLevel).calls.push(call);
  });
  return { functions, topLevel };
}

function tryParse(source: string, sourceType: 'module' | 'script'): acorn.Program | undefined {
  try {
    return acorn.parse(source, {
      ecmaVersion: 'latest',
      sourceType,
      locations: true,
      allowHashBang: true,
      allowReturnOutsideFunction: true,
      allowAwaitOutsideFunction: true,
      allowImportExportEverywhere: true,
    });
  } catch {
    return undefined;
  }
}

function isFunction(node: acorn.Node): boolean {
  return (
    node.type === 'FunctionDeclaration' ||
    node.type === 'FunctionExpression' ||
    node.type === 'ArrowFunctionExpression'
  );
}

/** The innermost function among the ancestors, not counting the node itself (the last one). */
function innermostFunction(ancestors: acorn.Node[]): acorn.Node | undefined {
  for (let i = ancestors.length - 2; i >= 0; i--) {
    const node = ancestors[i];
    if (node && isFunction(node)) return node;
  }
  return undefined;
}

function functionInfo(node: acorn.Node, ancestors: acorn.Node[]): FunctionInfo {
  const loc = node.loc as acorn.SourceLocation;
  return {
    name: functionName(node, ancestors[ancestors.length - 2]),
    startLine: loc.start.line,
    startColumn: loc.start.column,
    endLine: loc.end.line,
    endColumn: loc.end.column,
    calls: [],
  };
}

/** The name V8 would infer: own id, or the variable, property or method it is assigned to. */
function functionName(node: acorn.Node, parent: acorn.Node | undefined): string {
  const id = (node as acorn.FunctionDeclaration).id;
  if (id) return id.name;
  if (!parent) return '(anonymous)';

  switch (parent.type) {
    case 'VariableDeclarator':
      return patternName((parent as acorn.VariableDeclarator).id) ?? '(anonymous)';
    case 'Property':
    case 'MethodDefinition':
    case 'PropertyDefinition':
      return keyName((parent as acorn.Property).key) ?? '(anonymous)';
    case 'AssignmentExpression':
      return (
        memberName((parent as acorn.AssignmentExpression).left as acorn.Expression) ?? '(anonymous)'
      );
    default:
      return '(anonymous)';
  }
}

function patternName(pattern: acorn.Pattern): string | undefined {
  return pattern.type === 'Identifier' ? pattern.name : undefined;
}

function keyName(key: acorn.Expression | acorn.PrivateIdentifier): string | undefined {
  if (key.type === 'Identifier' || key.type === 'PrivateIdentifier') return key.name;
  if (key.type === 'Literal') return String(key.value);
  return undefined;
}

/** The called name of a callee: identifier, member property, or the last of `(0, x.fn)`. */
function memberName(callee: acorn.Expression | acorn.Super): string | undefined {
  switch (callee.type) {
    case 'Identifier':
      return callee.name;
    case 'MemberExpression':
      if (!callee.computed) return keyName(callee.property);
      return callee.property.type === 'Literal' ? String(callee.property.value) : undefined;
    case 'SequenceExpression': {
      const last = callee.expressions[callee.expressions.length - 1];
      return last ? memberName(last) : undefined;
    }
    case 'ChainExpression':
      return memberName(callee.expression);
    default:
      return undefined;
  }
}

function unwrapCallee(callee: acorn.Expression | acorn.Super): acorn.Expression | acorn.Super {
  if (callee.type === 'SequenceExpression') {
    return callee.expressions[callee.expressions.length - 1] ?? callee;
  }
  if (callee.type === 'ChainExpression') return callee.expression;
  return callee;
}

function callInfo(node: acorn.CallExpression | acorn.NewExpression): CallInfo | undefined {
  const callee = unwrapCallee(node.callee);
  const name = memberName(callee);
  if (!name) return undefined;

  // Point at the called name, so a call spread over lines lands where its name is.
  const at = callee.type === 'MemberExpression' ? callee.property : callee;
  const loc = at.loc as acorn.SourceLocation;
  let qualifiedName = name;
  if (callee.type === 'MemberExpression' && callee.object.type === 'Identifier') {
    qualifiedName = `${callee.object.name}.${name}`;
  }
  return { name, qualifiedName, line: loc.start.line, column: loc.start.column };
}

/** Compares positions (1-based line, 0-based column). */
function before(lineA: number, columnA: number, lineB: number, columnB: number): boolean {
  return lineA < lineB || (lineA === lineB && columnA < columnB);
}

/**
 * The innermost function containing a position (1-based line, 0-based column), as V8 reports a
 * function's position (its `(` or its start); undefined for top-level code.
 */
export function functionAt(
  script: ScriptInfo,
  line: number,
  column: number,
): FunctionInfo | undefined {
  let best: FunctionInfo | undefined;
  for (const fn of script.functions) {
    if (before(line, column, fn.startLine, fn.startColumn)) continue;
    if (!before(line, column, fn.endLine, fn.endColumn)) continue;
    if (!best || lineSpan(fn) <= lineSpan(best)) best = fn;
  }
  return best;
}

/** The innermost function whose lines include `line` (1-based); undefined outside all. */
export function functionOnLine(script: ScriptInfo, line: number): FunctionInfo | undefined {
  let best: FunctionInfo | undefined;
  for (const fn of script.functions) {
    if (line < fn.startLine || line > fn.endLine) continue;
    if (!best || lineSpan(fn) <= lineSpan(best)) best = fn;
  }
  return best;
}

function lineSpan(fn: FunctionInfo): number {
  return fn.endLine - fn.startLine;
}

/** The direct calls of `fn` to `name` (a V8 function name; `Class.method` matches `method`). */
export function callsTo(fn: FunctionInfo, name: string): CallInfo[] {
  const short = name.slice(name.lastIndexOf('.') + 1);
  if (!short) return [];
  return fn.calls.filter(call => call.name === short);
}
