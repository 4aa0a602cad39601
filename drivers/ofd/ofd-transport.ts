/**
 * OfdTransport: one TCP exchange per message with the OFD (fiscal-spec §3.4): connect, send
 * the session message, read one reply (the 30-byte header, then as many body bytes as it
 * announces), close. Timeouts for each step; every failure an OfdError saying which.
 */
import { createConnection, type Socket } from 'node:net';
import type { Clock, TimerHandle } from '../../firmware/core/clock.ts';
import { concatBytes } from '../../firmware/core/bytes.ts';
import type { Log } from '../../firmware/core/log.ts';
import { OfdError, type OfdFailure } from './ofd-error.ts';
import { decodeSessionHeader, SESSION_HEADER } from './session-header.ts';

export interface OfdEndpoint {
  readonly host: string;
  readonly port: number;
}

export interface OfdTransportOptions {
  readonly connectTimeoutMs: number;
  readonly sendTimeoutMs: number;
  readonly receiveTimeoutMs: number;
}

/** 3 s each, as one public KKT transport uses (fiscal-spec §3.4). */
export const DEFAULT_OFD_TRANSPORT_OPTIONS: OfdTransportOptions = { connectTimeoutMs: 3000, sendTimeoutMs: 3000, receiveTimeoutMs: 3000 };

export interface OfdTransportDeps {
  readonly clock: Clock;
  readonly log: Log;
  /** Where the OFD is; read at every exchange so a reconfiguration applies at once. */
  readonly endpoint: () => OfdEndpoint;
}

export class OfdTransport {
  readonly stats = { exchanges: 0, failures: 0, bytesSent: 0, bytesReceived: 0 };
  constructor(
    private readonly deps: OfdTransportDeps,
    private readonly options: OfdTransportOptions = DEFAULT_OFD_TRANSPORT_OPTIONS,
  ) {}

  /** Sends one session message, resolves with the OFD's whole reply (header included). */
  exchange(message: Uint8Array): Promise<Uint8Array> {
    const { host, port } = this.deps.endpoint();
    this.stats.exchanges++;
    return new Promise<Uint8Array>((resolve, reject) => {
      const chunks: Uint8Array[] = [];
      let received = 0;
      let expected = -1;
      let timer: TimerHandle | undefined;
      let done = false;
      const socket: Socket = createConnection({ host, port });
      socket.setNoDelay(true);
      const fail = (failure: OfdFailure, text: string, cause?: unknown): void => {
        if (done) return;
        done = true;
        timer?.cancel();
        socket.destroy();
        this.stats.failures++;
        reject(new OfdError(failure, `OFD ${host}:${port}: ${text}`, cause === undefined ? undefined : { cause }));
      };
      const arm = (ms: number, failure: OfdFailure, text: string): void => {
        timer?.cancel();
        timer = this.deps.clock.after(ms, () => fail(failure, text));
      };
      arm(this.options.connectTimeoutMs, 'connect', `no connection within ${this.options.connectTimeoutMs} ms`);
      socket.once('connect', () => {
        arm(this.options.sendTimeoutMs, 'send-timeout', `could not send within ${this.options.sendTimeoutMs} ms`);
        socket.write(message, () => {
          this.stats.bytesSent += message.length;
          arm(this.options.receiveTimeoutMs, 'receive-timeout', `no whole reply within ${this.options.receiveTimeoutMs} ms`);
        });
      });
      socket.on('data', (chunk: Buffer) => {
        chunks.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        received += chunk.length;
        if (expected < 0 && received >= SESSION_HEADER) {
          const head = decodeSessionHeader(concatBytes(chunks).subarray(0, SESSION_HEADER));
          if (!head.ok) return fail('garbage', `the reply is not an OFD message (${head.problem})`);
          expected = SESSION_HEADER + head.header.bodyLength;
        }
        if (expected >= 0 && received >= expected) {
          done = true;
          timer?.cancel();
          socket.end();
          this.stats.bytesReceived += expected;
          resolve(concatBytes(chunks).subarray(0, expected));
        }
      });
      socket.once('error', (e: NodeJS.ErrnoException) => fail(received === 0 && expected < 0 ? 'connect' : 'closed', `${e.code ?? e.message}`, e));
      socket.once('close', () => {
        if (received === 0) fail('closed', 'the OFD closed the connection without a reply');
        else if (expected < 0) fail(received < SESSION_HEADER ? 'partial' : 'garbage', `the OFD closed after ${received} bytes of a reply header`);
        else fail('partial', `the OFD closed after ${received} of ${expected} reply bytes`);
      });
    });
  }
}

/** The container inside a reply: the session header stripped (fiscal-spec §6.1). */
export function replyContainer(reply: Uint8Array): Uint8Array {
  return reply.subarray(SESSION_HEADER);
}
