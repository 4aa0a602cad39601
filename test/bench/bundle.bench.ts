/**
 * The register as it ships (issue 9 §5): the minified bundle's size, and the idle RSS of the
 * bundle run by plain `node` — production-like (the FN emulator its own process on a pty,
 * an external mosquitto, the cloud client in this process) and, beside it, demo mode
 * (everything emulated in the one process).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { removeDir } from '../helpers/app-rig.ts';
import { connectCloud } from '../helpers/cloud.ts';
import { freePort, startMosquitto } from '../helpers/mosquitto.ts';
import { pollUntil } from '../helpers/poll.ts';
import { registerProcesses } from '../helpers/register-processes.ts';
import { printFigures, type Figure } from './bench-kit.ts';

const run = promisify(execFile);
const IDLE_MS = 3000;

function rssMiB(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) / 1024;
}

async function minifiedBytes(): Promise<number> {
  const r = await build({ entryPoints: ['firmware/main.ts'], bundle: true, platform: 'node', target: 'node20', format: 'esm', minify: true, write: false, logLevel: 'silent' });
  return r.outputFiles.reduce((n, f) => n + f.contents.length, 0);
}

async function productionIdle(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-bundle-'));
  const broker = await startMosquitto();
  const reg = await registerProcesses(dir, broker.url, { bundle: true });
  const cloud = await connectCloud(broker.url, reg.prefix);
  try {
    await reg.startFn();
    reg.startRuntime();
    await cloud.online();
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const pid = reg.runtimePid;
    if (pid === undefined) throw new Error('the runtime is not running');
    return rssMiB(pid);
  } finally {
    await cloud.close();
    await reg.close();
    await broker.close();
    removeDir(dir);
  }
}

async function demoIdle(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-demo-'));
  const config = JSON.parse(readFileSync('device-config/demo.json', 'utf8')) as Record<string, Record<string, unknown>>;
  const configPath = join(dir, 'demo.json');
  writeFileSync(configPath, JSON.stringify({ ...config, dataDir: join(dir, 'data'), console: { kind: 'none' }, mqtt: { ...config['mqtt'], broker: { kind: 'embedded', host: '127.0.0.1', port: await freePort() } } }));
  const p = spawn(process.execPath, ['dist/kassa.mjs', 'run', '--config', configPath], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  p.stdout.on('data', (c: Buffer) => void (out += c.toString()));
  try {
    await pollUntil(() => out.includes('kassa-runtime is running'), { timeoutMs: 30_000, what: 'the demo register to run' });
    await new Promise((r) => setTimeout(r, IDLE_MS));
    if (p.pid === undefined) throw new Error('no pid');
    return rssMiB(p.pid);
  } finally {
    const gone = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await gone;
    removeDir(dir);
  }
}

export async function bundleBench(): Promise<Figure[]> {
  await run(process.execPath, ['build.mjs']);
  const bytes = await minifiedBytes();
  const production = await productionIdle();
  const demo = await demoIdle();
  const figures: Figure[] = [
    { name: 'minified bundle', value: bytes / 1024, unit: 'KiB', note: 'esbuild minify, firmware/main.ts and what it imports' },
    { name: 'RSS idle, bundle, production-like', value: production, unit: 'MiB', note: `node dist/kassa.mjs; FN emulator on a pty, external mosquitto; ${IDLE_MS / 1000} s after online` },
    { name: 'RSS idle, bundle, demo mode', value: demo, unit: 'MiB', note: 'every device emulated in the one process, embedded broker' },
  ];
  printFigures('The register as it ships (issue 9)', figures);
  return figures;
}
