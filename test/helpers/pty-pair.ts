/**
 * A real serial line for tests: a socat pty pair (DESIGN.md §4). Both ends are real tty
 * devices that the real serialport binding opens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pollUntil } from './poll.ts';

export interface PtyPair {
  /** The register's end. */
  readonly a: string;
  /** The device's end. */
  readonly b: string;
  close(): Promise<void>;
}

export async function ptyPair(): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-pty-'));
  const a = join(dir, 'register');
  const b = join(dir, 'device');
  const socat: ChildProcess = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
  const failed = new Promise<never>((_, reject) => {
    socat.once('error', (e) => reject(new Error(`cannot start socat (apt-get install socat): ${e.message}`)));
    socat.once('exit', (code) => reject(new Error(`socat exited with ${code}`)));
  });
  const ready = (async () => {
    await pollUntil(() => existsSync(a) && existsSync(b), { timeoutMs: 2000, intervalMs: 10, what: 'socat to create the pty pair' });
  })();
  await Promise.race([ready, failed]);
  failed.catch(() => undefined);
  return {
    a,
    b,
    async close() {
      if (socat.exitCode === null) {
        const gone = new Promise((r) => socat.once('exit', r));
        socat.kill('SIGTERM');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
