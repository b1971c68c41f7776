/**
 * Sources and source maps of the user's scripts seen in the profiles, read from disk so that a
 * saved session can be reported without the target (and without `Debugger.enable`, which stalls
 * a large app).
 */
import type Cdp from 'devtools-protocol';
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ILogger } from '../core/logger';
import type { RawSourceMap, ScriptRecord } from '../core/session';

/** Scripts larger than this are recorded without their source (bundles, generated files). */
const MAX_SOURCE_BYTES = 8 * 1024 * 1024;

/** `file://` URLs of the profiles' call frames, outside node_modules, in first-seen order. */
export function userScriptUrls(profiles: readonly Cdp.Profiler.Profile[]): string[] {
  const urls = new Set<string>();
  for (const profile of profiles) {
    for (const node of profile.nodes) {
      const url = node.callFrame.url;
      if (url.startsWith('file://') && !url.includes('/node_modules/')) urls.add(url);
    }
  }
  return [...urls];
}

/** Reads every script (source and map) it can; unreadable ones are kept with their URL only. */
export async function readScripts(
  urls: readonly string[],
  logger: ILogger,
  cache = new Map<string, ScriptRecord>(),
): Promise<ScriptRecord[]> {
  const records: ScriptRecord[] = [];
  for (const url of urls) {
    let record = cache.get(url);
    if (!record) {
      record = await readScript(url, logger);
      cache.set(url, record);
    }
    records.push(record);
  }
  return records;
}

async function readScript(url: string, logger: ILogger): Promise<ScriptRecord> {
  const record: ScriptRecord = { url };
  const source = await readFile(fileURLToPath(url), 'utf8').catch(() => undefined);
  if (source === undefined || source.length > MAX_SOURCE_BYTES) {
    logger.debug('capture.scripts', 'source not kept', { url, found: source !== undefined });
    return record;
  }
  record.source = source;

  const mapUrl = sourceMappingUrlOf(source);
  if (!mapUrl) return record;

  try {
    const resolved = mapUrl.startsWith('data:') ? mapUrl : new URL(mapUrl, url).href;
    record.sourceMap = await readSourceMap(resolved);
    record.sourceMapUrl = resolved.startsWith('data:') ? 'inline' : resolved;
  } catch (error) {
    logger.warn('capture.scripts', 'source map unreadable', { url, mapUrl, error: String(error) });
  }
  return record;
}

/** The last `sourceMappingURL` comment of a script, if any. */
export function sourceMappingUrlOf(source: string): string | undefined {
  const matches = [...source.matchAll(/\/\/[#@]\s*sourceMappingURL=(\S+)\s*$/gm)];
  return matches.at(-1)?.[1];
}

/** Reads a map from a `data:` URL (base64 or percent-encoded) or a `file://` URL. */
async function readSourceMap(url: string): Promise<RawSourceMap> {
  let text: string;
  if (url.startsWith('data:')) {
    const comma = url.indexOf(',');
    const header = url.slice(0, comma);
    const body = url.slice(comma + 1);
    text = header.endsWith(';base64')
      ? Buffer.from(body, 'base64').toString('utf8')
      : decodeURIComponent(body);
  } else {
    text = await readFile(fileURLToPath(url), 'utf8');
  }
  const map = JSON.parse(text) as RawSourceMap;
  if (typeof map.mappings !== 'string' || !Array.isArray(map.sources)) {
    throw new Error('not a source map v3');
  }
  return map;
}

/** The `file://` URL of a path, as profiles spell it. */
export function fileUrlOf(path: string): string {
  return pathToFileURL(path).href;
}
