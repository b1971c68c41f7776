/**
 * Maps generated positions (the profile's JS) to the file the user edits, through the source
 * map of the script: the session's recorded map, or one read through `readFile` from the
 * script's `sourceMappingURL` comment. Without a map a position stays on the JS file.
 */
import {
  GREATEST_LOWER_BOUND,
  TraceMap,
  decodedMappings,
  originalPositionFor,
} from '@jridgewell/trace-mapping';
import { pathToUrl, urlToPath } from './frames';
import type { RawSourceMap } from './session';
import type { SourceLocation } from './model';

/** Reads a file by absolute path; undefined when it cannot. */
export type ReadFile = (path: string) => string | undefined;

/** What the resolver knows about one script URL. */
export interface ScriptSource {
  source?: string;
  sourceMap?: RawSourceMap;
  sourceMapUrl?: string;
}

/** Resolves positions per script URL, caching each script's decoded map. */
export class SourceMapResolver {
  private readonly maps = new Map<string, TraceMap | null>();

  constructor(
    private readonly scripts: Map<string, ScriptSource>,
    private readonly readFile: ReadFile | undefined,
  ) {}

  /** The generated source of a script: recorded in the session, else read from disk. */
  sourceOf(url: string): string | undefined {
    const recorded = this.scripts.get(url)?.source;
    if (recorded !== undefined) return recorded;
    if (!url.startsWith('file://') || !this.readFile) return undefined;

    const source = this.readFile(urlToPath(url));
    this.scripts.set(url, { ...this.scripts.get(url), source });
    return source;
  }

  /**
   * The original location of a generated position (1-based line, 0-based column). Without a
   * column, the first mapped segment of the line is used.
   */
  resolve(url: string, line: number, column?: number): SourceLocation {
    const fallback: SourceLocation = { file: urlToPath(url), line };
    if (column !== undefined) fallback.column = column + 1;
    const map = this.mapOf(url);
    if (!map) return fallback;

    const mapped = column === undefined ? firstSegment(map, line) : exactSegment(map, line, column);
    return mapped ?? firstSegment(map, line) ?? fallback;
  }

  private mapOf(url: string): TraceMap | undefined {
    const cached = this.maps.get(url);
    if (cached !== undefined) return cached ?? undefined;

    let map: TraceMap | null = null;
    try {
      map = this.loadMap(url);
    } catch {
      map = null;
    }
    this.maps.set(url, map);
    return map ?? undefined;
  }

  private loadMap(url: string): TraceMap | null {
    const script = this.scripts.get(url);
    if (script?.sourceMap) {
      const mapUrl = script.sourceMapUrl ? resolveUrl(script.sourceMapUrl, url) : url;
      return new TraceMap(script.sourceMap as never, mapUrl);
    }

    const source = this.sourceOf(url);
    const comment = source && sourceMappingUrl(source);
    if (!comment) return null;

    if (comment.startsWith('data:')) return new TraceMap(decodeDataUrl(comment), url);
    const mapUrl = resolveUrl(comment, url);
    const text = mapUrl.startsWith('file://') ? this.readFile?.(urlToPath(mapUrl)) : undefined;
    return text ? new TraceMap(text, mapUrl) : null;
  }
}

/** The last `//# sourceMappingURL=` comment of a script. */
export function sourceMappingUrl(source: string): string | undefined {
  const matches = source.matchAll(/\/\/[#@] ?sourceMappingURL=(\S+)/g);
  let last: string | undefined;
  for (const match of matches) last = match[1];
  return last;
}

function resolveUrl(reference: string, base: string): string {
  try {
    return new URL(reference, pathToUrl(base)).href;
  } catch {
    return reference;
  }
}

function decodeDataUrl(url: string): string {
  const comma = url.indexOf(',');
  const meta = url.slice(0, comma);
  const data = url.slice(comma + 1);
  if (meta.endsWith(';base64')) return Buffer.from(data, 'base64').toString('utf8');
  return decodeURIComponent(data);
}

function locationOf(map: TraceMap, sourceIndex: number, line0: number, column0: number) {
  const source = map.resolvedSources[sourceIndex];
  if (source === undefined || source === null) return undefined;
  return { file: urlToPath(source), line: line0 + 1, column: column0 + 1 };
}

function exactSegment(map: TraceMap, line: number, column: number): SourceLocation | undefined {
  const position = originalPositionFor(map, { line, column, bias: GREATEST_LOWER_BOUND });
  if (position.source === null || position.line === null) return undefined;
  return { file: urlToPath(position.source), line: position.line, column: position.column + 1 };
}

function firstSegment(map: TraceMap, line: number): SourceLocation | undefined {
  const segments = decodedMappings(map)[line - 1];
  if (!segments) return undefined;

  for (const segment of segments) {
    if (segment.length < 4) continue;

    const [, sourceIndex, line0, column0] = segment as [number, number, number, number];
    return locationOf(map, sourceIndex, line0, column0);
  }
  return undefined;
}
