/** The demo service's load mix, shared by the benchmarks that drive it. */
import type { LoadStream } from './load';

const LOGIN_BODY = JSON.stringify({ user: 'ada', password: 'correct horse battery staple' });

/**
 * The demo's endpoints at fixed rates (about 95 requests/s besides logins): logins at
 * `loginRate` per second (0 leaves them out), each costing the demo's real PBKDF2 time.
 */
export function demoStreams(loginRate: number): LoadStream[] {
  const streams: LoadStream[] = [
    { name: 'GET /profile', method: 'GET', paths: ['/profile'], connections: 2, rate: 60 },
    { name: 'GET /report', method: 'GET', paths: ['/report'], connections: 1, rate: 5 },
    {
      name: 'GET /users/:id',
      method: 'GET',
      paths: ['/users/1', '/users/2', '/users/17', '/users/42'],
      connections: 1,
      rate: 30,
    },
  ];
  if (loginRate > 0) {
    const login: LoadStream = {
      name: 'POST /login',
      method: 'POST',
      paths: ['/login'],
      body: LOGIN_BODY,
      connections: 1,
      rate: loginRate,
    };
    streams.unshift(login);
  }
  return streams;
}
