/**
 * A minimal RESP client over one persistent TCP connection: commands are pipelined and their
 * replies matched in order, as Redis clients do. Enough for the login service's session writes.
 */
import net from 'node:net';
import { RespError, RespReader, encodeCommand, type RespValue } from './resp';

interface Pending {
  resolve(value: RespValue): void;
  reject(error: Error): void;
}

export class StoreClient {
  private readonly pending: Pending[] = [];
  private readonly reader = new RespReader();
  private closedError: Error | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', chunk => this.onData(chunk));
    socket.on('error', error => this.fail(error));
    socket.on('close', () => this.fail(new Error('session store connection closed')));
  }

  /** Connects to a store at `host:port` (loopback in the demo). */
  static connect(host: string, port: number): Promise<StoreClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new StoreClient(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Sends one command; resolves with its reply, rejects on an error reply. */
  command(args: readonly string[]): Promise<RespValue> {
    if (this.closedError) return Promise.reject(this.closedError);

    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.socket.write(encodeCommand(args));
    });
  }

  close(): void {
    this.socket.end();
  }

  private onData(chunk: Buffer): void {
    for (const value of this.reader.push(chunk)) {
      const waiter = this.pending.shift();
      if (!waiter) continue;

      if (value instanceof RespError) waiter.reject(new Error(value.message));
      else waiter.resolve(value);
    }
  }

  private fail(error: Error): void {
    this.closedError ??= error;
    for (const waiter of this.pending.splice(0)) waiter.reject(error);
  }
}
