/**
 * A tiny key-value store speaking RESP on 127.0.0.1, run as its own process so the login
 * service talks to it over a real TCP socket, the way it would talk to Redis.
 *
 * Supports PING, GET, SET (with EX seconds), DEL, EXISTS and DBSIZE. Prints
 * `kv-store listening on 127.0.0.1:PORT` when ready. When started by the login service through
 * `fork`, it exits as soon as its parent goes away, so it never outlives the demo.
 */
import net from 'node:net';
import {
  RespReader,
  encodeBulk,
  encodeError,
  encodeInteger,
  encodeSimple,
  type RespValue,
} from './resp';

interface Entry {
  value: string;
  /** Date.now() after which the entry is gone, or undefined for no expiry. */
  expiresAtMs?: number;
}

const entries = new Map<string, Entry>();

/** Runs one command and returns its encoded reply. */
export function execute(args: string[]): Buffer {
  const [name = '', ...rest] = args;
  switch (name.toUpperCase()) {
    case 'PING':
      return encodeSimple(rest[0] ?? 'PONG');
    case 'GET':
      return encodeBulk(read(rest[0] ?? '')?.value ?? null);
    case 'SET':
      return set(rest);
    case 'DEL':
      return encodeInteger(rest.filter(key => entries.delete(key)).length);
    case 'EXISTS':
      return encodeInteger(rest.filter(key => read(key)).length);
    case 'DBSIZE':
      return encodeInteger(entries.size);
    default:
      return encodeError(`unknown command '${name}'`);
  }
}

function set(args: string[]): Buffer {
  const [key, value, option, seconds] = args;
  if (key === undefined || value === undefined) return encodeError('wrong number of arguments');

  const entry: Entry = { value };
  if (option?.toUpperCase() === 'EX') entry.expiresAtMs = Date.now() + Number(seconds) * 1000;
  entries.set(key, entry);
  return encodeSimple('OK');
}

function read(key: string): Entry | undefined {
  const entry = entries.get(key);
  if (entry?.expiresAtMs !== undefined && entry.expiresAtMs <= Date.now()) {
    entries.delete(key);
    return undefined;
  }
  return entry;
}

function serve(socket: net.Socket): void {
  const reader = new RespReader();
  socket.on('data', chunk => {
    let commands: RespValue[];
    try {
      commands = reader.push(chunk);
    } catch {
      socket.end(encodeError('protocol error'));
      return;
    }
    for (const command of commands) {
      const args = Array.isArray(command) ? command.map(String) : [];
      socket.write(args.length ? execute(args) : encodeError('expected an array of bulk strings'));
    }
  });

  // A client that vanishes mid-reply is not the store's problem.
  socket.on('error', () => socket.destroy());
}

function main(): void {
  const port = Number(process.env.KV_STORE_PORT ?? 0);
  const server = net.createServer(serve);
  server.listen(port, '127.0.0.1', () => {
    const address = server.address() as net.AddressInfo;
    process.stdout.write(`kv-store listening on 127.0.0.1:${address.port}\n`);
    process.send?.({ ready: true, port: address.port });
  });

  // Forked by the service: its exit closes the IPC channel, and the store follows it.
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
}

if (require.main === module) main();
