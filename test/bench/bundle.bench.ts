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
 *   - CPU per job of the register process (utime + stime from /proc), over a burst of jobs;
 *   - beside it, the share of that figure that the register's I/O takes through today's
 *     drivers and libraries: the CPU per job of a process that does only that I/O
 *     (io-floor-register.ts), as many FN commands, journal records and results per job as a
 *     run of the register at debug level counted; and the same for the least I/O any register
 *     that keeps the issue-3 guarantees needs per job (LEAST_IO).
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
import { connectCloud, type Cloud } from '../helpers/cloud.ts';
import { startFnProcess, stopProcess } from '../helpers/fn-process.ts';
import { ptyPair } from '../helpers/pty-pair.ts';
import { scanRecords } from '../../firmware/core/record-framing.ts';
import type { IoFloorOptions } from './io-floor-register.ts';
import { freePort, startMosquitto } from '../helpers/mosquitto.ts';
import { pollUntil } from '../helpers/poll.ts';
import { registerProcesses, type RegisterProcesses } from '../helpers/register-processes.ts';
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
  /** That burst again, until the OFD has confirmed every one of its documents. */
  readonly cpuMsPerJobWithOfd?: number;
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
  const { dir, reg, cloud, ofd, output, close } = await productionSetup('kassa-bundle-', (dir) => serviceCacheEnv(join(dir, 'cache')));
  const cacheDir = join(dir, 'cache');
  try {
    if (fillJobs > 0) await run(process.execPath, ['--import', 'tsx', 'test/bench/rss-probe.ts', join(dir, 'data'), String(fillJobs), String(TAIL_JOBS)], { maxBuffer: 1 << 20 });
    await reg.startFn();
    let startedAt = 0;
    const started = async (): Promise<number> => {
      output.stdout = '';
      startedAt = performance.now();
      reg.startRuntime();
      await pollUntil(() => output.stdout.includes('kassa-runtime is running'), { timeoutMs: 60_000, intervalMs: 5, what: 'the register to run' });
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
    const first = await cpuPerJob(cloud, pid);
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const rssAfterBurst = rssMiB(pid);
    const rest = await restingRss(pid);
    // After the RSS figures, so that they stay what they were: at rest after one burst.
    // The OFD's share of the first burst is done before the second starts, so that the second's
    // figure with the OFD holds its own documents' exchanges and no others.
    await ofdCaughtUp(ofd, cloud, first.ids);
    const again = await cpuPerJob(cloud, pid, 'again', ofd);
    return { rss: rest.rss, rssAfterBurst, restSeconds: IDLE_MS / 1000 + rest.seconds, bootMs, boots, firstBootMs, cpuMsPerJob: first.msPerJob, cpuMsPerJobWarm: again.msPerJob, ...(again.withOfdMsPerJob !== undefined ? { cpuMsPerJobWithOfd: again.withOfdMsPerJob } : {}) };
  } finally {
    await close();
  }
}

interface ProductionSetup {
  readonly dir: string;
  readonly reg: RegisterProcesses;
  readonly cloud: Cloud;
  readonly ofd: OfdEmulator;
  /** The register's output so far; the caller may empty it. */
  readonly output: { stdout: string; stderr: string };
  close(): Promise<void>;
}

/**
 * The production-like setup in a new temporary folder (`tmpPrefix`): mosquitto, the OFD as a
 * TCP server, the FN emulator's process (not started) and the register running the bundle
 * with the unit's flags and environment (not started), plus `env(dir)`.
 */
async function productionSetup(tmpPrefix: string, env: (dir: string) => Record<string, string> = () => ({}), options: { logLevel?: 'debug' } = {}): Promise<ProductionSetup> {
  const dir = mkdtempSync(join(tmpdir(), tmpPrefix));
  const broker = await startMosquitto();
  // The OFD is a server elsewhere, as a shop's register reaches it: not emulated inside the register.
  const ofd = new OfdEmulator({ clock: systemClock(), log: testLog() }, { ofdInn: OFD_INN, operatorKey: TEST_OPERATOR_KEY });
  const ofdPort = await ofd.listen(0);
  const output = { stdout: '', stderr: '' };
  // ofdLink {}: the config's own timers, not the tests' short ones.
  const reg = await registerProcesses(dir, broker.url, {
    bundle: true,
    ofdPort,
    ofdLink: {},
    nodeArgs: serviceNodeArgs(),
    runtimeEnv: { ...serviceEnv(), ...env(dir) },
    onRuntimeOutput: (t) => void (output.stdout += t),
    ...(options.logLevel ? { logLevel: options.logLevel, onRuntimeErrors: (t: string) => void (output.stderr += t) } : {}),
  });
  const cloud = await connectCloud(broker.url, reg.prefix);
  return {
    dir,
    reg,
    cloud,
    ofd,
    output,
    async close() {
      await cloud.close();
      await reg.close();
      await broker.close();
      await ofd.close();
      removeDir(dir);
    },
  };
}

/**
 * CPU of the register process per job over a burst of CPU_JOBS. The first burst comes after a
 * warm-up of 50 jobs that opens the shift, and so includes V8's one-time work on the hot code
 * (TurboFan compiles on its own threads, counted in the process's CPU); `again` is the same
 * burst later in the same process, as a register that has run for a while works.
 */
async function cpuPerJob(cloud: Cloud, pid: number, burst: 'first' | 'again' = 'first', ofd?: OfdEmulator): Promise<{ ids: string[]; msPerJob: number; withOfdMsPerJob?: number }> {
  if (burst === 'first') await warmUp(cloud);
  const before = cpuSeconds(pid);
  const ids = await jobBurst(cloud, `cpu-${burst}`, CPU_JOBS);
  const msPerJob = ((cpuSeconds(pid) - before) * 1000) / CPU_JOBS;
  if (!ofd) return { ids, msPerJob };
  // The register sends each document to the OFD after its result (store-and-forward): the
  // burst's share of that work falls mostly after its last result.
  await ofdCaughtUp(ofd, cloud, ids);
  return { ids, msPerJob, withOfdMsPerJob: ((cpuSeconds(pid) - before) * 1000) / CPU_JOBS };
}

/** Resolves once the OFD has confirmed the documents of every one of `ids` (their results' FD numbers, of their FN). */
async function ofdCaughtUp(ofd: OfdEmulator, cloud: Cloud, ids: readonly string[]): Promise<void> {
  const wanted = new Map<string, number[]>();
  for (const id of ids) {
    const payload = cloud.results.get(id)?.find((r) => r.status === 'done')?.payload;
    if (!payload) throw new Error(`job ${id}: no done result with its fiscal attributes`);
    const fds = wanted.get(payload.fn_number) ?? [];
    fds.push(payload.fiscal_document_number);
    wanted.set(payload.fn_number, fds);
  }
  const missing = (): number => [...wanted].reduce((n, [fn, fds]) => {
    const confirmed = ofd.confirmationsOf(fn);
    return n + fds.filter((fd) => !confirmed.has(fd)).length;
  }, 0);
  await pollUntil(() => missing() === 0, { timeoutMs: 600_000, intervalMs: 20, what: () => `the OFD to confirm the burst's documents (${missing()} missing)` });
}

/** 50 jobs one after another: the first opens the shift. */
async function warmUp(cloud: Cloud): Promise<void> {
  const warm = Array.from({ length: 50 }, (_, i) => `warm-${i}`);
  for (const job of sampleJobs(warm)) await cloud.publish(job);
  await cloud.allFinal(warm);
}

/** `count` jobs published at once, each `<prefix>-<n>`; resolves with their ids once every one has its final result. */
async function jobBurst(cloud: Cloud, prefix: string, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  await Promise.all(sampleJobs(ids).map((job) => cloud.publish(job)));
  await cloud.allFinal(ids, 600_000);
  return ids;
}

/** The shipped sample sale (an ATOL-Online sell), once under each id. */
function sampleJobs(ids: readonly string[]): string[] {
  const sample = JSON.parse(readFileSync('device-config/samples/sell-atol.json', 'utf8')) as Record<string, unknown>;
  return ids.map((id) => JSON.stringify({ ...sample, id }));
}

/** What the register does per job, in the window of the CPU figure: FN commands, journal records, results published. */
interface JobIo {
  readonly fnCommands: number;
  readonly records: number;
  readonly results: number;
}

const IO_JOBS = 200;

/**
 * The least journal records and results per job of any register that keeps the guarantees of
 * issue 3 and issue 4, with the FN commands the register sends: one record durable before the
 * PUBACK (exactly once from the broker's redelivery), one once the receipt is on paper (never
 * printed twice after a power cut; for what happened between, a register could read the
 * FN's archive instead of its own records), and the one final result the cloud waits for.
 * Today's register writes more (a "forming" record before the FN is touched, "fiscalized"
 * before printing, "reported" after the result's PUBACK) and publishes `accepted` and
 * `in_progress` before the final result (the result contract, firmware/jobs/README.md): what
 * those cost is the difference between the two I/O figures.
 */
const LEAST_IO = { records: 2, results: 1 } as const;

/**
 * Counts the I/O of a burst on the production-like register: FN commands from its debug log
 * (fn-driver.ts logs each one it sends), journal records and results by the burst's job ids.
 * A run of its own: debug logging costs CPU, so no figure is taken here.
 */
async function jobIo(): Promise<JobIo> {
  const { dir, reg, cloud, output, close } = await productionSetup('kassa-io-', undefined, { logLevel: 'debug' });
  try {
    await reg.startFn();
    reg.startRuntime();
    await pollUntil(() => output.stdout.includes('kassa-runtime is running'), { timeoutMs: 60_000, intervalMs: 5, what: 'the register to run' });
    await cloud.online();
    await warmUp(cloud);
    const from = output.stderr.length;
    const ids = await jobBurst(cloud, 'io', IO_JOBS);
    const fnCommands = (output.stderr.slice(from).match(/ DEBUG \[kassa:fn\] --> /g) ?? []).length;
    await reg.killRuntime('SIGKILL');
    const burst = new Set(ids);
    let records = 0;
    const journalDir = join(dir, 'data', 'journal');
    for (const f of readdirSync(journalDir)) scanRecords<{ id?: string }>(readFileSync(join(journalDir, f)), (r) => void (records += burst.has(r.id ?? '') ? 1 : 0));
    const results = ids.reduce((n, id) => n + (cloud.results.get(id)?.length ?? 0), 0);
    if (fnCommands === 0 || records === 0) throw new Error(`the burst's I/O was not seen (FN commands ${fnCommands}, journal records ${records}): has the debug log or the journal's place changed?`);
    return { fnCommands: fnCommands / IO_JOBS, records: records / IO_JOBS, results: results / IO_JOBS };
  } finally {
    await close();
  }
}

/**
 * CPU per job of io-floor-register.ts, which does `io` (rounded) per job and nothing else, in
 * the same setup, with the same bursts and node flags as the register's figure.
 */
async function ioFloor(io: JobIo): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-floor-'));
  const broker = await startMosquitto();
  const pty = await ptyPair();
  const fnProc = await startFnProcess(pty.b, join(dir, 'fn-state.bin'));
  const prefix = `floor-${process.pid}`;
  const cloud = await connectCloud(broker.url, prefix);
  const options: IoFloorOptions = { fnPath: pty.a, journalDir: join(dir, 'journal'), brokerUrl: broker.url, jobsTopic: cloud.topics.jobs, resultsTopic: cloud.topics.results, fnCommands: Math.round(io.fnCommands), records: Math.round(io.records), results: Math.round(io.results) };
  const floor = spawn(process.execPath, [...serviceNodeArgs(), '--import', 'tsx', 'test/bench/io-floor-register.ts', JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...serviceEnv() } });
  let out = '';
  floor.stdout.on('data', (c: Buffer) => void (out += c.toString()));
  try {
    await pollUntil(() => out.includes('ready') || floor.exitCode !== null, { timeoutMs: 60_000, intervalMs: 5, what: 'io-floor-register.ts to subscribe' });
    if (floor.pid === undefined || floor.exitCode !== null) throw new Error('io-floor-register.ts ended before it was ready');
    await warmUp(cloud);
    const before = cpuSeconds(floor.pid);
    await jobBurst(cloud, 'floor', CPU_JOBS);
    return ((cpuSeconds(floor.pid) - before) * 1000) / CPU_JOBS;
  } finally {
    await cloud.close();
    await stopProcess(floor);
    await stopProcess(fnProc);
    await pty.close();
    await broker.close();
    removeDir(dir);
  }
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
  const io = await jobIo();
  const floor = await ioFloor(io);
  const leastFloor = await ioFloor({ ...io, ...LEAST_IO });
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
    { name: 'CPU per job, that burst with its OFD exchanges', value: hundred.cpuMsPerJobWithOfd ?? NaN, unit: 'ms', note: `until the OFD confirmed each of its documents (the figures above end at the last result); 10 000 journaled: ${(ten.cpuMsPerJobWithOfd ?? NaN).toFixed(2)} ms` },
    { name: 'CPU per job, the register\'s I/O stack alone', value: floor, unit: 'ms', note: `io-floor-register.ts: per job ${Math.round(io.fnCommands)} FN commands, ${Math.round(io.records)} journal records, ${Math.round(io.results)} results, through mqtt.js, the journal and FnDriver and nothing else (counted on the register: ${io.fnCommands.toFixed(2)}, ${io.records.toFixed(2)}, ${io.results.toFixed(2)}); ${(floor / (hundred.cpuMsPerJob ?? NaN)).toFixed(2)} of the register's figure` },
    { name: 'CPU per job, the least I/O a job needs, alone', value: leastFloor, unit: 'ms', note: `io-floor-register.ts as above with ${LEAST_IO.records} journal records and ${LEAST_IO.results} result per job (LEAST_IO), through the same mqtt.js, journal and FnDriver: the least I/O of a job, before any work of its own; ${(leastFloor / (hundred.cpuMsPerJob ?? NaN)).toFixed(2)} of the register's figure` },
  ];
  printFigures('The register as it ships (issue 9)', figures);
  return figures;
}
