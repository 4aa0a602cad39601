/**
 * A real mosquitto broker for tests (DESIGN.md §4: MQTT tests run against a real broker the
 * tests start). Persistence is on, so a stop/start keeps sessions and queued QoS 1 messages,
 * like a production broker restart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pollUntil } from './poll.ts';

export interface Mosquitto {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the broker and deletes its files. */
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export async function waitForPort(port: number, ms: number): Promise<void> {
  const listens = (): Promise<boolean> =>
    new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  await pollUntil(listens, { timeoutMs: ms, intervalMs: 25, what: `mosquitto to listen on ${port}` });
}

export async function startMosquitto(): Promise<Mosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-mosquitto-'));
  // Started as root, mosquitto drops to its own user: it must be able to write its database here.
  chmodSync(dir, 0o777);
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence true',
      `persistence_location ${dir}/`,
      'autosave_interval 1',
      'max_queued_messages 100000',
      'message_size_limit 0',
      'log_dest none',
      'set_tcp_nodelay true',
      '',
    ].join('\n'),
  );
  let proc: ChildProcess | undefined;
  const broker: Mosquitto = {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    async start() {
      const p = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
      proc = p;
      const failed = new Promise<never>((_, reject) => p.once('error', (e) => reject(new Error(`cannot start mosquitto (apt-get install mosquitto): ${e.message}`))));
      failed.catch(() => undefined);
      await Promise.race([waitForPort(port, 5000), failed]);
    },
    async stop() {
      const p = proc;
      proc = undefined;
      if (!p || p.exitCode !== null) return;
      const gone = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await gone;
    },
    async close() {
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await broker.start();
  return broker;
}
