/**
 * The endpoints of the login service. Each handler gets the parsed request and answers with a
 * status and a JSON body; server.ts does the HTTP plumbing and the SERVER span.
 */
import crypto from 'node:crypto';
import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { createCredential, verifyPassword, verifyPasswordAsync, type Credential } from './auth';
import type { StoreClient } from './storeClient';

export interface Reply {
  status: number;
  /** The response body, already serialised. */
  json: string;
}

interface User {
  id: number;
  name: string;
  email: string;
  credential: Credential;
}

/** Seconds a login session lives in the store. */
const SESSION_TTL_S = 3600;

/** Rows in the report dataset: enough for JSON.stringify to take several ms per request. */
const REPORT_ROWS = 6_000;

/** Public profiles served by `GET /users/:id` (ids 1..DIRECTORY_SIZE). */
const DIRECTORY_SIZE = 100;

export class Routes {
  private readonly users = new Map<string, User>();
  private readonly directory = buildDirectory(DIRECTORY_SIZE);
  private readonly reportRows = buildReportRows(REPORT_ROWS);

  constructor(
    private readonly tracer: Tracer,
    private readonly store: StoreClient,
  ) {
    this.users.set('ada', {
      id: 1,
      name: 'ada',
      email: 'ada@example.com',
      credential: createCredential('correct horse battery staple'),
    });
  }

  /** Picks the handler for a method and path; `route` is the template for span names. */
  match(method: string, path: string): { route: string; handle: (body: string) => Promise<Reply> } {
    if (method === 'POST' && path === '/login')
      return { route: '/login', handle: b => this.login(b) };
    if (method === 'POST' && path === '/login-async')
      return { route: '/login-async', handle: b => this.loginAsync(b) };
    if (method === 'GET' && path === '/profile')
      return { route: '/profile', handle: () => this.profile() };
    if (method === 'GET' && path === '/report')
      return { route: '/report', handle: () => this.report() };

    const user = /^\/users\/(\d+)$/.exec(path);
    if (method === 'GET' && user) {
      return { route: '/users/:id', handle: () => this.userById(Number(user[1])) };
    }
    return { route: path, handle: () => Promise.resolve(reply(404, { error: 'not found' })) };
  }

  private async login(body: string): Promise<Reply> {
    const { user: name, password } = parseLogin(body);
    const user = this.users.get(name);
    if (!user || !verifyPassword(password, user.credential)) {
      return reply(401, { error: 'invalid credentials' });
    }

    const token = crypto.randomBytes(16).toString('hex');
    await this.storeSession(token, user);
    return reply(200, { token });
  }

  /** The login with the async hash: it waits on the thread pool instead of blocking. */
  private async loginAsync(body: string): Promise<Reply> {
    const { user: name, password } = parseLogin(body);
    const user = this.users.get(name);
    if (!user || !(await verifyPasswordAsync(password, user.credential))) {
      return reply(401, { error: 'invalid credentials' });
    }

    const token = crypto.randomBytes(16).toString('hex');
    await this.storeSession(token, user);
    return reply(200, { token });
  }

  /** Writes the session to the store inside a CLIENT span, like an instrumented Redis call. */
  private storeSession(token: string, user: User): Promise<void> {
    const attributes = { 'db.system': 'redis', 'db.operation': 'SET' };
    return this.tracer.startActiveSpan(
      'session.store',
      { kind: SpanKind.CLIENT, attributes },
      async span => {
        try {
          const value = JSON.stringify({ userId: user.id, createdAt: Date.now() });
          await this.store.command(['SET', `session:${token}`, value, 'EX', String(SESSION_TTL_S)]);
        } catch (error) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
          throw error;
        } finally {
          span.end();
        }
      },
    );
  }

  private profile(): Promise<Reply> {
    const user = this.users.get('ada');
    return Promise.resolve(reply(200, { id: user?.id, name: user?.name, email: user?.email }));
  }

  private report(): Promise<Reply> {
    // Serialising the whole dataset on every request is this endpoint's cost.
    const json = JSON.stringify({ generatedAt: Date.now(), rows: this.reportRows });
    return Promise.resolve({ status: 200, json });
  }

  private userById(id: number): Promise<Reply> {
    const user = this.directory.get(id);
    if (!user) return Promise.resolve(reply(404, { error: `no user ${id}` }));

    return Promise.resolve(reply(200, user));
  }
}

function reply(status: number, body: object): Reply {
  return { status, json: JSON.stringify(body) };
}

function parseLogin(body: string): { user: string; password: string } {
  try {
    const parsed = JSON.parse(body) as { user?: unknown; password?: unknown };
    return { user: String(parsed.user ?? ''), password: String(parsed.password ?? '') };
  } catch {
    return { user: '', password: '' };
  }
}

function buildDirectory(size: number): Map<number, { id: number; name: string }> {
  const directory = new Map<number, { id: number; name: string }>();
  for (let id = 1; id <= size; id++) directory.set(id, { id, name: `user-${id}` });
  return directory;
}

function buildReportRows(count: number): object[] {
  const rows: object[] = [];
  for (let i = 0; i < count; i++) {
    rows.push({
      id: i,
      account: `acct-${i}`,
      visits: (i * 7919) % 1000,
      lastSeen: new Date(1_700_000_000_000 + i * 60_000).toISOString(),
      plan: i % 3 === 0 ? 'pro' : 'free',
      tags: ['web', i % 2 ? 'mobile' : 'desktop'],
    });
  }
  return rows;
}
