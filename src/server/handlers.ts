/**
 * Finds where an endpoint is handled in a source file, for the code lens above it: a route
 * registration (`app.post('/login', …)`, `router.get("/users/:id", …)`) or a hand-written
 * match (`method === 'POST' && path === '/login'`). Text search, no parse: good enough to place
 * a lens, and it works on files that do not compile yet. Pure.
 */
import type { EndpointStats } from '../core/model';

/** The 0-based line where `endpoint` is handled in `text`, or undefined. */
export function findHandlerLine(text: string, endpoint: EndpointStats): number | undefined {
  const lines = text.split(/\r?\n/);
  const route = quotedRoute(endpoint.route);
  const method = endpoint.method.toLowerCase();
  const registration = new RegExp(`\\.(?:${method}|all)\\s*\\(\\s*${route}`, 'i');
  const methodWord = new RegExp(`['"\`]${endpoint.method}['"\`]`, 'i');
  const routeLiteral = new RegExp(route);

  const registered = lines.findIndex(line => registration.test(line));
  if (registered >= 0) return registered;

  const matched = lines.findIndex(line => routeLiteral.test(line) && methodWord.test(line));
  return matched >= 0 ? matched : undefined;
}

/**
 * A pattern for the route as a string literal: `/users/:id` also matches `/users/{id}` and a
 * regular expression's `\/users\/(\d+)` is left alone (no lens rather than a wrong one).
 */
function quotedRoute(route: string): string {
  const escaped = route
    .split(/(:\w+)/)
    .map(part => (part.startsWith(':') ? '(?::\\w+|\\{\\w+\\})' : escapeRegExp(part)))
    .join('');
  return `['"\`]${escaped}['"\`]`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
