/**
 * The register as it ships (issue 9 §5), every figure taken of the register's own process
 * running the bundle with the node flags of deploy/kassa.service's ExecStart and its
 * Environment= lines (read from the unit, so the bench cannot drift from what a board runs)
 * in a production-like setup: the FN
 * emulator its own process on a pty, an external mosquitto, the cloud client and the OFD (a TCP
 * server, as a shop's register reaches its OFD) in this process.
 *   - the minified bundle's size;
 *   - RSS idle, and beside it demo mode's (everything emulated in the one process);
 *   - RSS after 10 000 and 100 000 journaled jobs, and their ratio, in the same run: at rest
 *     (once RSS stops falling after the burst of jobs the CPU figure runs; V8 gives a burst's
 *     garbage back within seconds), and 3 s after that burst beside it;
 *   - boot to ready (process start → the register says it runs) with that journal: the
 *     journal as a register leaves it when it loses power — the ledger's index file and the
 *     most records the register lets pile up after it (INDEX_REFRESH_RECORDS, ledger-wiring.ts),
 *     which the boot replays (rss-probe.ts). The register is first started once and left
 *     until it has written its code cache (systemd's CacheDirectory=, emulated here: a board
 *     starts each release once without it); the figure is the median of three starts after a
 *     SIGKILL each (a power cut some seconds into a run; the journal unchanged), and that first
 *     start is printed beside;
 *   - CPU per job of the register process (utime + stime from /proc), over a burst of jobs.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OfdEmulator } from '../../drivers/ofd/emulator/ofd-emulator.ts';
import { INDEX_REFRESH_RECORDS } from '../../firmware/jobs/ledger-wiring.ts';
import { TEST_OPERATOR_KEY } from '../../drivers/ofd/operator-sign.ts';
import { systemClock } from '../../firmware/core/clock.ts';
import { removeDir } from '../helpers/app-rig.ts';
import { OFD_INN } from '../helpers/fiscal-fixtures.ts';
import { testLog } from '../helpers/fn-rig.ts';
import { connectCloud } from '../helpers/cloud.ts';
import { freePort, startMosquitto } from '../helpers/mosquitto.ts';
import { pollUntil } from '../helpers/poll.ts';
import { registerProcesses } from '../helpers/register-processes.ts';
import { printFigures, type Figure } from './bench-kit.ts';

const run = promisify(execFile);
const IDLE_MS = 3000;
/** rss-probe.ts journals three records a job (accepted, finished, reported). */
const TAIL_JOBS = Math.floor(INDEX_REFRESH_RECORDS / 3);
const BOOTS = 3;
const CPU_JOBS = 1000;
/** Well past the launcher's SAVE_AFTER_MS (5 s, firmware/launch/kassa-launcher.ts), which starts after the program is compiled. */
const SURVIVED_MS = 8000;

/** The node flags the unit runs the register with: those between node and kassa.mjs in ExecStart. */
export function serviceNodeArgs(): string[] {
  const words = (unitLines().find((l) => l.startsWith('ExecStart=')) ?? '').slice('ExecStart='.length).trim().split(/\s+/);
  const bundle = words.findIndex((w) => w.endsWith('kassa.mjs'));
  if (bundle < 1) throw new Error('deploy/kassa.service: no ExecStart=<node> … kassa.mjs');
  return words.slice(1, bundle);
}

/** The environment the unit gives the register (its `Environment=NAME=value` lines; NODE_OPTIONS among them). */
export function serviceEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of unitLines()) {
    if (!line.startsWith('Environment=')) continue;
    const assignment = line.slice('Environment='.length).trim();
    // One unquoted NAME=value a line, as the unit writes them (systemd splits unquoted spaces
    // into more assignments); anything else would be read wrong here.
    const m = /^([A-Z_][A-Z0-9_]*)=([^\s"'\\]+)$/.exec(assignment);
    if (!m?.[1] || m[2] === undefined) throw new Error(`deploy/kassa.service: cannot read "${line}"`);
    env[m[1]] = m[2];
  }
  return env;
}

/**
 * The environment systemd adds for the unit's CacheDirectory= (CACHE_DIRECTORY, a directory
 * the register may write), pointed at `dir`; nothing when the unit has none.
 */
function serviceCacheEnv(dir: string): Record<string, string> {
  if (!unitLines().some((l) => /^CacheDirectory=\S/.test(l))) return {};
  mkdirSync(dir, { recursive: true });
  return { CACHE_DIRECTORY: dir };
}

function unitLines(): string[] {
  return readFileSync('deploy/kassa.service', 'utf8').split('\n');
}

/** How the bench says it ran the register: the unit's environment and flags. */
function serviceCommand(): string {
  const env = Object.entries(serviceEnv()).map(([k, v]) => (/\s/.test(v) ? `${k}="${v}"` : `${k}=${v}`));
  return [...env, 'node', ...serviceNodeArgs(), 'dist/kassa.mjs'].join(' ');
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  // utime and stime are fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssMiB(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) / 1024;
}


interface Measured {
  /** RSS at rest: idle, or once it stopped falling after the CPU burst. */
  readonly rss: number;
  /** RSS IDLE_MS after the CPU burst (with `cpu`). */
  readonly rssAfterBurst?: number;
  /** Seconds from the end of the burst until RSS stopped falling. */
  readonly restSeconds?: number;
  /** Median of BOOTS starts with the code cache in place, and each. */
  readonly bootMs: number;
  readonly boots: readonly number[];
  /** The first start, before the register had written its code cache. */
  readonly firstBootMs: number;
  readonly cpuMsPerJob?: number;
  /** The same burst again, after the rest: V8's compilers have done their one-time work. */
  readonly cpuMsPerJobWarm?: number;
}

/**
 * RSS at rest: sampled every second for at least REST_MIN_S (V8's memory reducer starts its
 * collections some 8 s after allocation slows down), then until it has not moved by more than
 * 0.25 MiB over 5 samples (at most 60 s).
 */
const REST_MIN_S = 20;
async function restingRss(pid: number): Promise<{ rss: number; seconds: number }> {
  const samples: number[] = [rssMiB(pid)];
  while (samples.length < 60) {
    await new Promise((r) => setTimeout(r, 1000));
    samples.push(rssMiB(pid));
    const last = samples.slice(-5);
    if (samples.length > REST_MIN_S && Math.max(...last) - Math.min(...last) <= 0.25) break;
  }
  return { rss: samples[samples.length - 1] ?? NaN, seconds: samples.length - 1 };
}

/** Starts the register on `fillJobs` journaled jobs (none: a fresh one), measures it, and stops it. */
async function productionRun(fillJobs: number, options: { cpu?: boolean } = {}): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-bundle-'));
  const broker = await startMosquitto();
  // The OFD is a server elsewhere, as a shop's register reaches it: not emulated inside the register.
  const ofd = new OfdEmulator({ clock: systemClock(), log: testLog() }, { ofdInn: OFD_INN, operatorKey: TEST_OPERATOR_KEY });
  const ofdPort = await ofd.listen(0);
  let out = '';
  // ofdLink {}: the config's own timers, not the tests' short ones.
  const cacheDir = join(dir, 'cache');
  const reg = await registerProcesses(dir, broker.url, { bundle: true, ofdPort, ofdLink: {}, nodeArgs: serviceNodeArgs(), runtimeEnv: { ...serviceEnv(), ...serviceCacheEnv(cacheDir) }, onRuntimeOutput: (t) => void (out += t) });
  const cloud = await connectCloud(broker.url, reg.prefix);
  try {
    if (fillJobs > 0) await run(process.execPath, ['--import', 'tsx', 'test/bench/rss-probe.ts', join(dir, 'data'), String(fillJobs), String(TAIL_JOBS)], { maxBuffer: 1 << 20 });
    await reg.startFn();
    let startedAt = 0;
    const started = async (): Promise<number> => {
      out = '';
      startedAt = performance.now();
      reg.startRuntime();
      await pollUntil(() => out.includes('kassa-runtime is running'), { timeoutMs: 60_000, intervalMs: 5, what: 'the register to run' });
      return performance.now() - startedAt;
    };
    // A board starts each release once without its code cache; the launcher writes it 5 s later.
    const firstBootMs = await started();
    if (existsSync(cacheDir)) await pollUntil(() => readdirSync(cacheDir).some((f) => f.endsWith('.v8cache')), { timeoutMs: 30_000, what: 'the code cache' });
    const boots: number[] = [];
    for (let b = 0; b < (fillJobs > 0 ? BOOTS : 1); b++) {
      // The power goes while the register runs, not in the first seconds of a start: a start
      // that dies within the launcher's guard window (SAVE_AFTER_MS) leaves the cache unused
      // by the next one (firmware/launch/program-loader.ts, survived()).
      await new Promise((r) => setTimeout(r, Math.max(0, SURVIVED_MS - (performance.now() - startedAt))));
      await reg.killRuntime('SIGKILL');
      boots.push(await started());
      // Only a start that takes the cache marks it (program-loader.ts): no mark, no figure.
      if (existsSync(cacheDir) && !readdirSync(cacheDir).some((f) => f.endsWith('.v8cache.starting'))) throw new Error('a measured start did not use the code cache (see its line on stderr)');
    }
    const bootMs = [...boots].sort((a, b) => a - b)[Math.floor(boots.length / 2)] ?? NaN;
    await cloud.online();
    const pid = reg.runtimePid;
    if (pid === undefined) throw new Error('the runtime is not running');
    if (!options.cpu) {
      await new Promise((r) => setTimeout(r, IDLE_MS));
      return { rss: rssMiB(pid), bootMs, boots, firstBootMs };
    }
    const cpuMsPerJob = await cpuPerJob(cloud, pid);
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const rssAfterBurst = rssMiB(pid);
    const rest = await restingRss(pid);
    // After the RSS figures, so that they stay what they were: at rest after one burst.
    const cpuMsPerJobWarm = await cpuPerJob(cloud, pid, 'again');
    return { rss: rest.rss, rssAfterBurst, restSeconds: IDLE_MS / 1000 + rest.seconds, bootMs, boots, firstBootMs, cpuMsPerJob, cpuMsPerJobWarm };
  } finally {
    await cloud.close();
    await reg.close();
    await broker.close();
    await ofd.close();
    removeDir(dir);
  }
}

/**
 * CPU of the register process per job over a burst of CPU_JOBS. The first burst comes after a
 * warm-up of 50 jobs that opens the shift, and so includes V8's one-time work on the hot code
 * (TurboFan compiles on its own threads, counted in the process's CPU); `again` is the same
 * burst later in the same process, as a register that has run for a while works.
 */
async function cpuPerJob(cloud: Awaited<ReturnType<typeof connectCloud>>, pid: number, burst: 'first' | 'again' = 'first'): Promise<number> {
  const base = JSON.parse(readFileSync('device-config/samples/sell-atol.json', 'utf8')) as Record<string, unknown>;
  if (burst === 'first') {
    const warm = Array.from({ length: 50 }, (_, i) => `warm-${i}`);
    for (const id of warm) await cloud.publish(JSON.stringify({ ...base, id }));
    await cloud.allFinal(warm);
  }
  const ids = Array.from({ length: CPU_JOBS }, (_, i) => `cpu-${burst}-${i}`);
  const before = cpuSeconds(pid);
  await Promise.all(ids.map((id) => cloud.publish(JSON.stringify({ ...base, id }))));
  await cloud.allFinal(ids, 600_000);
  return ((cpuSeconds(pid) - before) * 1000) / CPU_JOBS;
}

async function demoIdle(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-demo-'));
  const config = JSON.parse(readFileSync('device-config/demo.json', 'utf8')) as Record<string, Record<string, unknown>>;
  const configPath = join(dir, 'demo.json');
  writeFileSync(configPath, JSON.stringify({ ...config, dataDir: join(dir, 'data'), console: { kind: 'none' }, localApi: { ...config['localApi'], port: await freePort() }, mqtt: { ...config['mqtt'], broker: { kind: 'embedded', host: '127.0.0.1', port: await freePort() } } }));
  const p = spawn(process.execPath, [...serviceNodeArgs(), 'dist/kassa.mjs', 'run', '--config', configPath], { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, ...serviceEnv() } });
  let out = '';
  p.stdout.on('data', (c: Buffer) => void (out += c.toString()));
  try {
    await pollUntil(() => out.includes('kassa-runtime is running'), { timeoutMs: 30_000, what: 'the demo register to run' });
    await new Promise((r) => setTimeout(r, IDLE_MS));
    if (p.pid === undefined) throw new Error('no pid');
    return rssMiB(p.pid);
  } finally {
    // Already gone (it failed to start): 'exit' will not come again.
    if (p.exitCode === null && p.signalCode === null) {
      const gone = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await gone;
    }
    removeDir(dir);
  }
}

export async function bundleBench(): Promise<Figure[]> {
  await run(process.execPath, ['build.mjs']);
  // The shipped program as build.mjs makes it (minified, only the CP866 code page kept), and its launcher.
  const bytes = statSync('dist/kassa-main.cjs').size + statSync('dist/kassa.mjs').size;
  const idle = await productionRun(0, { cpu: false });
  const demo = await demoIdle();
  const ten = await productionRun(10_000, { cpu: true });
  const hundred = await productionRun(100_000, { cpu: true });
  const ms = (m: Measured): string => m.boots.map((b) => Math.round(b)).join(', ');
  const figures: Figure[] = [
    { name: 'minified bundle', value: bytes / 1024, unit: 'KiB', note: 'dist/kassa-main.cjs and its launcher dist/kassa.mjs as build.mjs makes them: esbuild minify, only the code pages the register uses' },
    { name: 'RSS idle, bundle, production-like', value: idle.rss, unit: 'MiB', note: `${serviceCommand()}; FN emulator on a pty, external mosquitto and OFD; ${IDLE_MS / 1000} s after online` },
    { name: 'RSS idle, bundle, demo mode', value: demo, unit: 'MiB', note: 'every device emulated in the one process, embedded broker' },
    { name: 'RSS after 10 000 journaled jobs', value: ten.rss, unit: 'MiB', note: `at rest, ${ten.restSeconds ?? '?'} s after ${CPU_JOBS + 50} more jobs through it; boot ${Math.round(ten.bootMs)} ms` },
    { name: 'RSS after 100 000 journaled jobs', value: hundred.rss, unit: 'MiB', note: `at rest, ${hundred.restSeconds ?? '?'} s after ${CPU_JOBS + 50} more jobs through it` },
    { name: 'RSS(100 000) / RSS(10 000)', value: hundred.rss / ten.rss, unit: 'x', note: 'same run, at rest' },
    { name: 'RSS 3 s after the burst, 10 000 journaled jobs', value: ten.rssAfterBurst ?? NaN, unit: 'MiB', note: `${CPU_JOBS + 50} jobs, before V8 gives their garbage back` },
    { name: 'RSS 3 s after the burst, 100 000 journaled jobs', value: hundred.rssAfterBurst ?? NaN, unit: 'MiB', note: `ratio ${((hundred.rssAfterBurst ?? NaN) / (ten.rssAfterBurst ?? NaN)).toFixed(2)} x` },
    { name: 'boot to ready, 100 000-entry journal', value: hundred.bootMs, unit: 'ms', note: `median of ${ms(hundred)} ms, code cache in place; process start → running; index file + ${TAIL_JOBS} jobs replayed; the release's first start (no code cache yet): ${Math.round(hundred.firstBootMs)} ms; empty journal: ${Math.round(idle.bootMs)} ms` },
    { name: 'CPU per job, register process', value: hundred.cpuMsPerJob ?? NaN, unit: 'ms', note: `utime+stime over a burst of ${CPU_JOBS} through mosquitto, FN emulator at 0 ms; 10 000 journaled: ${(ten.cpuMsPerJob ?? NaN).toFixed(2)} ms` },
    { name: 'CPU per job, the same burst again', value: hundred.cpuMsPerJobWarm ?? NaN, unit: 'ms', note: `after the RSS figures, in the same process; 10 000 journaled: ${(ten.cpuMsPerJobWarm ?? NaN).toFixed(2)} ms` },
  ];
  printFigures('The register as it ships (issue 9)', figures);
  return figures;
}
