/**
 * What systemd does for kassa.service (deploy/kassa.service), played by the test for a register
 * installed into a throwaway root: before each start the boot guard (ExecStartPre=), then
 * `node <programDir>/current/kassa.mjs run --config …` (ExecStart=) with the code cache directory
 * systemd makes for CacheDirectory= in $CACHE_DIRECTORY, and a restart when it ends
 * other than cleanly (Restart=on-failure, RestartForceExitStatus=75), except after exit 78, a
 * config that does not parse (RestartPreventExitStatus=78). No systemd runs in CI, so
 * this is the service manager's part only; the guard and the program are the real ones.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export interface SupervisedExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface Supervisor {
  /** Starts so far (each preceded by the boot guard). */
  readonly starts: number;
  readonly exits: readonly SupervisedExit[];
  /** What the boot guard printed, one line a start. */
  readonly guardLines: readonly string[];
  /** Kills the running register (the service manager restarts it unless it exited cleanly). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Resolves when the register has been started `n` times in all. */
  waitForStarts(n: number, ms: number): Promise<void>;
  /** Stops supervising and kills the register. */
  stop(): Promise<void>;
}

export interface SupervisorOptions {
  readonly programDir: string;
  readonly dataDir: string;
  readonly configPath: string;
  readonly env?: Readonly<Record<string, string>>;
  /** CacheDirectory=kassa: /var/cache/kassa on a board (made here when missing). */
  readonly cacheDir: string;
  /** RestartSec=, shortened for tests. */
  readonly restartDelayMs?: number;
}

export function supervise(o: SupervisorOptions): Supervisor {
  let child: ChildProcess | undefined;
  let stopped = false;
  let starts = 0;
  const exits: SupervisedExit[] = [];
  const guardLines: string[] = [];
  const waiters = new Set<() => void>();

  const start = (): void => {
    if (stopped) return;
    mkdirSync(o.cacheDir, { recursive: true, mode: 0o700 });
    const guard = spawnSync(process.execPath, [join(o.programDir, 'boot-guard.mjs'), o.dataDir, o.programDir], { encoding: 'utf8' });
    guardLines.push((guard.stdout + guard.stderr).trim());
    starts++;
    const p = spawn(process.execPath, [join(o.programDir, 'current', 'kassa.mjs'), 'run', '--config', o.configPath], {
      stdio: ['ignore', 'ignore', process.env['KASSA_TEST_LOG'] ? 'inherit' : 'ignore'],
      env: { ...process.env, CACHE_DIRECTORY: o.cacheDir, ...o.env },
    });
    child = p;
    p.once('exit', (code, signal) => {
      exits.push({ code, signal });
      if (child === p) child = undefined;
      if (!stopped && !(code === 0 && signal === null) && code !== 78) setTimeout(start, o.restartDelayMs ?? 200);
    });
    for (const w of waiters) w();
  };
  start();

  return {
    get starts() {
      return starts;
    },
    exits,
    guardLines,
    async kill(signal = 'SIGKILL') {
      const p = child;
      if (!p) return;
      const gone = new Promise((r) => p.once('exit', r));
      p.kill(signal);
      await gone;
    },
    waitForStarts(n, ms) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (starts < n) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${starts} starts, not ${n}, within ${ms} ms (exits: ${JSON.stringify(exits)})`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
    async stop() {
      stopped = true;
      const p = child;
      if (!p) return;
      const gone = new Promise((r) => p.once('exit', r));
      p.kill('SIGKILL');
      await gone;
    },
  };
}
