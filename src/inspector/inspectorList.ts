/**
 * `GET /json/list` of an inspector address, read defensively: the address may be any HTTP
 * service (or none), so a body that is not JSON, not a list, or too long is an expected
 * failure with a reason, never an exception thrown from a socket callback.
 */
import http from 'node:http';

/** One debuggable target as the inspector lists it (the fields Gapscope reads). */
export interface ListedTarget {
  webSocketDebuggerUrl?: string;
  type?: string;
  title?: string;
}

/** Why the list could not be read: no HTTP answer, or an answer that is not an inspector's. */
export class InspectorListError extends Error {
  constructor(
    message: string,
    /** True when something answered over HTTP, but not as a Node inspector. */
    readonly notAnInspector: boolean,
  ) {
    super(message);
    this.name = 'InspectorListError';
  }
}

/** A Node inspector's list is a few hundred bytes; anything far longer is another service. */
const MAX_BODY_BYTES = 256 * 1024;

/** Reads the inspector's target list; rejects with InspectorListError. */
export function listInspectorTargets(
  host: string,
  port: number,
  timeoutMs: number,
): Promise<ListedTarget[]> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host, port, path: '/json/list', agent: false }, response => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          request.destroy();
          reject(new InspectorListError('/json/list answered with a body too long', true));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => {
        const parsed = parseList(response.statusCode, Buffer.concat(chunks).toString('utf8'));
        if (typeof parsed === 'string') reject(new InspectorListError(parsed, true));
        else resolve(parsed);
      });
      response.on('error', error => reject(new InspectorListError(String(error), false)));
    });
    request.setTimeout(timeoutMs, () => request.destroy(new Error('no answer in time')));
    request.on('error', error => reject(new InspectorListError(String(error), false)));
  });
}

/** The list, or why the answer is not an inspector's. */
function parseList(status: number | undefined, body: string): ListedTarget[] | string {
  if (status !== 200) return `/json/list answered HTTP ${status}`;

  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    const start = JSON.stringify(body.slice(0, 40));
    return `/json/list answered with something other than JSON: ${start}`;
  }
  if (!Array.isArray(parsed)) return '/json/list answered with JSON that is not a list';
  return parsed.filter((item): item is ListedTarget => typeof item === 'object' && item !== null);
}
