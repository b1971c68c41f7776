/**
 * Route templates: the endpoint a request belongs to, with ids collapsed so that `/users/42` and
 * `/users/7` share one row.
 */
import type { RecordedRequest } from './session';

const NUMBER = /^\d+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LONG_HEX = /^[0-9a-f]{16,}$/i;
/** Tokens, slugs with numbers, Mongo-like ids: long, alphanumeric, containing a digit. */
const LONG_ALNUM_WITH_DIGIT = /^(?=.*\d)[A-Za-z0-9_-]{16,}$/;

/** True when a path segment looks like an id rather than a fixed part of the route. */
export function isIdSegment(segment: string): boolean {
  return (
    NUMBER.test(segment) ||
    UUID.test(segment) ||
    LONG_HEX.test(segment) ||
    LONG_ALNUM_WITH_DIGIT.test(segment)
  );
}

/** The route template of a URL: query and fragment stripped, id-like segments as `:id`. */
export function routeTemplate(url: string): string {
  const path = url.split(/[?#]/, 1)[0] || '/';
  const segments = path.split('/').map(s => (isIdSegment(s) ? ':id' : s));
  return segments.join('/') || '/';
}

/** The request's route: the framework's template when recorded, else derived from its URL. */
export function requestRoute(request: RecordedRequest): string {
  return request.route ?? routeTemplate(request.url);
}

/** The endpoint key `METHOD /route`. */
export function endpointKey(method: string, route: string): string {
  return `${method.toUpperCase()} ${route}`;
}
