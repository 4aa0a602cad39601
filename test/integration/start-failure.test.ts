/**
 * A register that cannot start exits, at once and not zero, with one line that says why
 * (deploy/README.md "Exit codes"): real `kassa run` processes. The second register on the
 * first one's ports used to print "port … is taken" and then run for ever: aedes' timers,
 * made before the listen failed, were never closed; and a stop that left an FN command in
 * flight waited out its timeout and ENQ retries before the process could end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import mqtt from 'mqtt';
import { connectCloud } from '../helpers/cloud.ts';
import { freePort } from '../helpers/mosquitto.ts';
import { pollUntil } from '../helpers/poll.ts';

interface Register {
  readonly process: ChildProcess;
  stdout: string;
  stderr: string;
  exit?: { code: number | null; at: number };
  /** When the last stderr line came (Date.now()). */
  lastLineAt: number;
}

function run(configPath: string): Register {
  const p = spawn(process.execPath, ['--import', 'tsx', 'firmware/main.ts', 'run', '--config', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  const r: Register = { process: p, stdout: '', stderr: '', lastLineAt: 0 };
  p.stdout?.on('data', (c: Buffer) => void (r.stdout += c.toString()));
  p.stderr?.on('data', (c: Buffer) => {
    r.stderr += c.toString();
    r.lastLineAt = Date.now();
  });
  p.on('exit', (code) => (r.exit = { code, at: Date.now() }));
  return r;
}

async function stopRegister(r: Register | undefined): Promise<void> {
  if (!r || r.exit) return;
  r.process.kill('SIGTERM');
  await pollUntil(() => r.exit !== undefined, { timeoutMs: 20_000, what: 'the first register to stop' }).catch(() => r.process.kill('SIGKILL'));
}

interface Ctx {
  dir: string;
  ports: { broker: number; console: number; api: number };
  first?: Register;
}

const demo = JSON.parse(readFileSync('device-config/demo.json', 'utf8')) as Record<string, Record<string, unknown>>;

/** demo.json with this test's ports and its own data dir; `change` adjusts it. */
function config(ctx: Ctx, name: string, change: (c: Record<string, Record<string, unknown>>) => void = () => undefined): string {
  const c = structuredClone(demo);
  c['dataDir'] = join(ctx.dir, name) as never;
  c['printer'] = { kind: 'none' };
  c['console'] = { ...c['console'], port: ctx.ports.console };
  c['localApi'] = { ...c['localApi'], port: ctx.ports.api };
  c['mqtt'] = { broker: { ...(c['mqtt']?.['broker'] as object), port: ctx.ports.broker } };
  change(c);
  const path = join(ctx.dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(c));
  return path;
}

/** The process has ended, soon after its last line: nothing it had started kept it alive. */
async function endsPromptly(r: Register): Promise<{ code: number | null; line: string }> {
  await pollUntil(() => r.exit !== undefined, { timeoutMs: 40_000, what: () => `the register to exit; stderr so far:\n${r.stderr}` });
  const lines = r.stderr.trim().split('\n');
  const line = lines.at(-1) ?? '';
  // Its stop released every handle: the process ends with the event loop, not a timer's later.
  // (Before the fix: never, or the FN driver's timeouts and ENQ retries, ~5 s, after the line.)
  const after = (r.exit?.at ?? 0) - r.lastLineAt;
  assert.ok(after < 2500, `exited ${after} ms after its last line`);
  assert.not.match(r.stderr, /^\s+at /m, 'one line, no stack trace');
  return { code: r.exit?.code ?? null, line };
}

const it = suite<Ctx>('a register that cannot start exits', { dir: '', ports: { broker: 0, console: 0, api: 0 } });

it.before(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'kassa-start-'));
  ctx.ports = { broker: await freePort(), console: await freePort(), api: await freePort() };
  ctx.first = run(config(ctx, 'first'));
  await pollUntil(() => ctx.first?.stdout.includes('kassa-runtime is running') === true || ctx.first?.exit !== undefined, {
    timeoutMs: 40_000,
    what: () => `the first register to run; stderr:\n${ctx.first?.stderr}`,
  });
  assert.is(ctx.first.exit, undefined, `the first register runs:\n${ctx.first.stderr}`);
});

it.after(async (ctx) => {
  await stopRegister(ctx.first);
  rmSync(ctx.dir, { recursive: true, force: true });
});

it('a second register on the same ports: exit 1, "port … is taken", the key to change', async (ctx) => {
  const { code, line } = await endsPromptly(run(config(ctx, 'second')));
  assert.is(code, 1);
  assert.match(line, new RegExp(`^kassa run: embedded MQTT broker: cannot listen: port ${ctx.ports.broker} on 127.0.0.1 is taken: .*mqtt\\.broker\\.port \\[CONFIG\\]$`));
});

it('only the console port taken: every wing started before it (FN, OFD, MQTT, local API) lets go', async (ctx) => {
  const broker = await freePort();
  const api = await freePort();
  const { code, line } = await endsPromptly(run(config(ctx, 'console', (c) => ((c['mqtt'] = { broker: { kind: 'embedded', host: '127.0.0.1', port: broker } }), (c['localApi'] = { ...c['localApi'], port: api })))));
  assert.is(code, 1);
  assert.match(line, new RegExp(`^kassa run: debug console: cannot listen: port ${ctx.ports.console} on 127.0.0.1 is taken: .*console\\.port \\[CONFIG\\]$`));
});

it('an FN serial line that does not exist: exit 1, the line and its key', async (ctx) => {
  const rnm = '0000000001048928'; // device-config/production.example.json: a real FN needs one
  const path = join(ctx.dir, 'no-such-tty');
  const broker = await freePort();
  const { code, line } = await endsPromptly(
    run(config(ctx, 'fn-line', (c) => ((c['fn'] = { kind: 'serial', path }), (c['registration'] = { ...c['registration'], rnm }), (c['mqtt'] = { broker: { kind: 'embedded', host: '127.0.0.1', port: broker } }), (c['localApi'] = { enabled: false }), (c['console'] = { kind: 'none' })))),
  );
  assert.is(code, 1);
  assert.match(line, `cannot open the serial line ${path} of the FN (fn.path)`);
  assert.match(line, /\[SERIAL_LINE\]$/);
});

it('a data dir that cannot be made: exit 1 with the path and the errno', async (ctx) => {
  const file = join(ctx.dir, 'a-file');
  writeFileSync(file, '');
  const { code, line } = await endsPromptly(run(config(ctx, 'data-dir', (c) => (c['dataDir'] = join(file, 'data') as never))));
  assert.is(code, 1);
  assert.match(line, /^kassa run: ENOTDIR: .*a-file\/data.* \[ENOTDIR\]$/);
});

it('a config that does not parse: exit 78 (no restart mends it), every problem with its key', async (ctx) => {
  const r = run(config(ctx, 'bad', (c) => ((c['fn'] = { kind: 'serial' }), (c['bogus'] = {}))));
  await pollUntil(() => r.exit !== undefined, { timeoutMs: 40_000, what: 'the register to exit' });
  assert.is(r.exit?.code, 78);
  assert.match(r.stderr, /bogus: unknown key/);
  assert.match(r.stderr, /fn\.path: is required/);
});

it('the same config during an update trial: exit 1, so that systemd starts it again and the boot guard can roll back', async (ctx) => {
  const path = config(ctx, 'bad-on-trial', (c) => (c['bogus'] = {}));
  const stateDir = join(ctx.dir, 'bad-on-trial', 'update');
  mkdirSync(stateDir, { recursive: true });
  // The shape update-state.ts writes once the slots are switched (its 'trial' phase).
  const order = { id: 'upd-1', version: '0.2.0', size: 1, sha256: 'a'.repeat(64), chunkSize: 4096, chunks: ['b'.repeat(64)], force: false, switchAt: 'idle' };
  writeFileSync(join(stateDir, 'state.json'), JSON.stringify({ phase: 'trial', order, from: 'a', to: 'b', starts: 1, maxStarts: 3, deadlineMs: 60_000 }));
  const r = run(path);
  await pollUntil(() => r.exit !== undefined, { timeoutMs: 40_000, what: 'the register to exit' });
  assert.is(r.exit?.code, 1);
  assert.match(r.stderr, /bogus: unknown key/);
  assert.match(r.stderr, /an update is on trial: a failed start.*\[CONFIG\]$/m);
});

it('a journal that refuses writes while the register runs: exit 1 with why; the next start reopens it, and every job ends with one FD', async (ctx) => {
  const ports = { broker: await freePort(), console: await freePort(), api: await freePort() };
  const path = config(ctx, 'journal-fails', (c) => {
    c['journal'] = { segmentBytes: 4096 }; // a few jobs fill a segment: the next write rotates
    c['console'] = { ...c['console'], port: ports.console };
    c['localApi'] = { ...c['localApi'], port: ports.api };
    c['mqtt'] = { broker: { ...(c['mqtt']?.['broker'] as object), port: ports.broker } };
  });
  const journalDir = join(ctx.dir, 'journal-fails', 'journal');
  const sample = JSON.parse(readFileSync('device-config/samples/sell-atol.json', 'utf8')) as Record<string, unknown>;
  const ids = Array.from({ length: 12 }, (_, i) => `jf-${i}`);
  const started = async (): Promise<Register> => {
    const r = run(path);
    await pollUntil(() => r.stdout.includes('kassa-runtime is running') || r.exit !== undefined, { timeoutMs: 40_000, what: () => `the register to run; stderr:\n${r.stderr}` });
    assert.is(r.exit, undefined, r.stderr);
    return r;
  };
  const first = await started();
  // The next segment's name taken (by a directory): the rotation, and so the journal, fails.
  const seqs = readdirSync(journalDir).map((f) => /^segment-(\d{10})\.log$/.exec(f)?.[1]).filter((s): s is string => s !== undefined).map(Number);
  const blocker = join(journalDir, `segment-${String(Math.max(...seqs) + 1).padStart(10, '0')}.log`);
  mkdirSync(blocker);
  // Sent without waiting for each PUBACK: the broker is the register's own and ends with it.
  const cloud = await mqtt.connectAsync(`mqtt://127.0.0.1:${ports.broker}`, { clientId: 'journal-fails-cloud', reconnectPeriod: 0 });
  try {
    for (const id of ids) void cloud.publishAsync('kassa/demo-kassa/jobs', JSON.stringify({ ...sample, id }), { qos: 1 }).catch(() => undefined);
    await pollUntil(() => first.exit !== undefined, { timeoutMs: 40_000, what: () => `the register to end; stderr:\n${first.stderr}` });
  } finally {
    cloud.end(true);
  }
  assert.is(first.exit?.code, 1);
  assert.match(first.stderr, /the job journal refuses writes \(.*failed.*\): ending now with exit 1, so that the service manager starts the register again/);
  // The disk is writable again; the register starts and the cloud sends what was not final.
  rmSync(blocker, { recursive: true });
  const second = await started();
  const again = await connectCloud(`mqtt://127.0.0.1:${ports.broker}`, 'kassa/demo-kassa');
  try {
    for (const id of ids) await again.publish(JSON.stringify({ ...sample, id }));
    await again.allFinal(ids, 60_000);
    const fds = ids.map((id) => again.results.get(id)?.find((r) => r.status === 'done')?.payload?.fiscal_document_number);
    assert.ok(fds.every((fd) => typeof fd === 'number'), JSON.stringify(fds));
    assert.is(new Set(fds).size, ids.length, `one FD a job: ${JSON.stringify(fds)}`);
  } finally {
    await again.close();
    await stopRegister(second);
  }
});

it.run();
