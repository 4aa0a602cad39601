/**
 * Issue 14 §3: firmware updates over a real mosquitto, on a register installed by
 * deploy/install.sh into a throwaway root and run as the bundle from its slot, with the FN
 * emulator as its own process on a socat pty. The service manager's part (boot guard, restart on
 * failure and on exit 75) is test/helpers/service-supervisor.ts; everything else is real:
 *
 *   N → N+1 in full; a replayed, a forged, another device's and an older update refused; a
 *   tampered chunk refused; a release that cannot start rolled back by the boot guard; SIGKILL
 *   during the download, right after the switch and during the new version's first start: the
 *   register always runs one version or the other, never neither.
 */
import { systemClock } from '../../firmware/core/clock.ts';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudLink } from '../../firmware/cli/cloud-link.ts';
import { serveChunks } from '../../firmware/cli/cloud-update-command.ts';
import { makeRnm } from '../../firmware/fiscal/registration-numbers.ts';
import { codeCacheFileName, programIdOf } from '../../firmware/launch/code-cache-file.ts';
import { signCommand, type CloudCommand } from '../../firmware/security/command-envelope.ts';
import type { CommandResult } from '../../firmware/security/command-gate.ts';
import { ChunkServer } from '../../firmware/update/chunk-server.ts';
import { packRelease } from '../../firmware/update/pack-release.ts';
import { chunkPlan, encodeReleasePackage } from '../../firmware/update/release-package.ts';
import { removeDir } from '../helpers/app-rig.ts';
import { startFnProcess } from '../helpers/fn-process.ts';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.ts';
import { pollUntil } from '../helpers/poll.ts';
import { ptyPair, type PtyPair } from '../helpers/pty-pair.ts';
import { supervise, type Supervisor } from '../helpers/service-supervisor.ts';
import { seededRandom } from '../helpers/seeded-random.ts';

const CHUNK = 65_536;
const DEVICE = `upd-${process.pid}`;
const PREFIX = `kassa/${DEVICE}`;
const cloudKey = generateKeyPairSync('ed25519');
const strangerKey = generateKeyPairSync('ed25519');

interface Ctx {
  work: string;
  root: string;
  packages: Record<'n' | 'n1' | 'n2broken', Uint8Array>;
  broker: Mosquitto;
  pty: PtyPair;
  fn: ChildProcess;
  register: Supervisor;
  link: CloudLink;
  seq: number;
}
const it = suite<Ctx>('firmware update over MQTT (real processes)', {} as Ctx);

const program = (c: Ctx): string => join(c.root, 'opt/kassa');
const current = (c: Ctx): string => readlinkSync(join(program(c), 'current'));
const slotVersion = (c: Ctx, slot: string): string => (JSON.parse(readFileSync(join(program(c), slot, 'release.json'), 'utf8')) as { version: string }).version;

function build(out: string, version: string): void {
  const r = spawnSync(process.execPath, ['build.mjs'], { encoding: 'utf8', env: { ...process.env, KASSA_BUILD_OUT: out, KASSA_BUILD_VERSION: version } });
  assert.is(r.status, 0, r.stderr);
}

/** The version the register reports on its retained status topic, read fresh. */
async function reportedVersion(c: Ctx, timeoutMs: number, want?: string): Promise<string> {
  let last = '(no status)';
  let found: string | undefined;
  // A fresh probe each look: the retained status as the broker holds it now.
  const look = async (): Promise<boolean> => {
    const probe = await CloudLink.connect({ clock: systemClock(), url: c.broker.url });
    try {
      // A retained status comes right after the subscription; none in 1 s means there is none.
      const got = await new Promise<string | undefined>((resolve) => {
        const t = setTimeout(() => resolve(undefined), 1000);
        probe.client.on('message', (_t, m) => {
          const s = JSON.parse(m.toString()) as { state?: string; firmware?: { version?: string } };
          clearTimeout(t);
          resolve(s.state === 'online' ? s.firmware?.version : undefined);
        });
        void probe.client.subscribeAsync(`${PREFIX}/status`, { qos: 1 });
      });
      if (got !== undefined) last = got;
      if (got !== undefined && (want === undefined || got === want)) found = got;
      return found !== undefined;
    } finally {
      await probe.close();
    }
  };
  await pollUntil(look, { timeoutMs, intervalMs: 300, what: () => `the status to say ${want ?? 'a version'}; last: ${last}` });
  return found as string;
}

function command(c: Ctx, type: string, body: Record<string, unknown>, over: Partial<CloudCommand> = {}): CloudCommand {
  const now = Date.now();
  return { id: `${type}-${++c.seq}`, device: DEVICE, seq: now + c.seq, issuedAt: now, expiresAt: now + 300_000, type, body, ...over };
}

function orderFor(bytes: Uint8Array, version: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return { version, ...chunkPlan(bytes, CHUNK), switchAt: 'idle', ...over };
}

async function sendUpdate(c: Ctx, cmd: CloudCommand, bytes: Uint8Array, key: KeyObject = cloudKey.privateKey, transform?: (i: number, d: Uint8Array) => Uint8Array): Promise<{ server: ChunkServer; envelope: string; stop: () => Promise<void> }> {
  const server = new ChunkServer(cmd.id, bytes, CHUNK);
  const stop = await serveChunks(c.link, PREFIX, server, transform);
  const envelope = JSON.stringify(signCommand(cmd, key));
  await c.link.publish(`${PREFIX}/commands`, envelope);
  return { server, envelope, stop };
}

const finalOf = (c: Ctx, id: string | null, ms = 90_000): Promise<CommandResult> => c.link.result(id, ms, (r) => r.status === 'done' || r.status === 'fail' || r.status === 'refused');

it.before(async (c) => {
  c.seq = 0;
  c.work = mkdtempSync(join(tmpdir(), 'kassa-update-'));
  // Releases N and N+1, built for real; and N+2, which cannot start.
  build(join(c.work, 'rel-n'), '0.1.0');
  build(join(c.work, 'rel-n1'), '0.1.1');
  cpSync(join(c.work, 'rel-n1'), join(c.work, 'rel-n2broken'), { recursive: true });
  writeFileSync(join(c.work, 'rel-n2broken/kassa.mjs'), "throw new Error('this release cannot start');\n");
  const stamp = JSON.parse(readFileSync(join(c.work, 'rel-n1/release.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(c.work, 'rel-n2broken/release.json'), JSON.stringify({ ...stamp, version: '0.1.2', commit: 'broken' }));
  const pack = (dir: string): Uint8Array => encodeReleasePackage(packRelease(join(c.work, dir)));
  c.packages = { n: pack('rel-n'), n1: pack('rel-n1'), n2broken: pack('rel-n2broken') };

  // Installed by the install script into a throwaway root, configured for this machine.
  c.root = join(c.work, 'root');
  mkdirSync(join(c.root, 'etc'), { recursive: true });
  writeFileSync(join(c.root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
  writeFileSync(join(c.root, 'etc/group'), 'root:x:0:\n');
  writeFileSync(join(c.root, 'etc/shadow'), '');
  writeFileSync(join(c.root, 'etc/gshadow'), '');
  const installed = spawnSync(join(c.work, 'rel-n/deploy/install.sh'), ['--root', c.root], { encoding: 'utf8' });
  assert.is(installed.status, 0, installed.stderr);

  c.broker = await startMosquitto();
  c.pty = await ptyPair();
  c.fn = await startFnProcess(c.pty.b, join(c.work, 'fn-state.bin'));
  const inn = '7707083893';
  const kktSerial = '00000000381001234567';
  const configPath = join(c.root, 'etc/kassa/config.json');
  const dataDir = join(c.root, 'var/lib/kassa');
  writeFileSync(
    configPath,
    JSON.stringify({
      version: 1,
      deviceId: DEVICE,
      dataDir,
      fn: { kind: 'serial', path: c.pty.a, timeoutMs: 1000, longTimeoutMs: 2000, enqRetries: 2 },
      printer: { kind: 'none' },
      console: { kind: 'none' },
      mqtt: { broker: { kind: 'external', url: c.broker.url }, protocolVersion: 5, reconnectMinMs: 100, reconnectMaxMs: 1000 },
      registration: { ffd: '1.2', inn, rnm: makeRnm('1', inn, kktSerial), kktSerial, address: 'г. Москва, ул. Льва Толстого, д. 16', place: 'shop.example.ru', taxSystems: ['osn'], ofdInn: '7704211201', autoRegister: true },
      shift: { closeAt: null },
      security: { cloudPublicKey: cloudKey.publicKey.export({ type: 'spki', format: 'pem' }).toString() },
      update: { programDir: program(c), chunkTimeoutMs: 2000, chunkTries: 3, trialDeadlineMs: 20_000, maxStarts: 2, switchCheckMs: 100 },
      log: { level: 'warn' },
    }),
  );
  c.register = supervise({ programDir: program(c), dataDir, cacheDir: join(c.root, 'var/cache/kassa'), configPath, restartDelayMs: 200 });
  c.link = await CloudLink.connect({ clock: systemClock(), url: c.broker.url });
  await c.link.watch(`${PREFIX}/results`);
  assert.is(await reportedVersion(c, 30_000, '0.1.0'), '0.1.0');
});

it.after(async (c) => {
  await c.register?.stop();
  await c.link?.close();
  c.fn?.kill('SIGKILL');
  await c.pty?.close();
  await c.broker?.stop();
  if (c.work) removeDir(c.work);
});

it('N → N+1: chunks over MQTT, slot b, exit 75, the new version confirms; status says 0.1.1', async (c) => {
  const cmd = command(c, 'update', orderFor(c.packages.n1, '0.1.1'));
  const sent = await sendUpdate(c, cmd, c.packages.n1);
  const r = await finalOf(c, cmd.id);
  await sent.stop();
  assert.is(r.status, 'done', JSON.stringify(c.link.commandResults.get(cmd.id)));
  assert.equal(
    (c.link.commandResults.get(cmd.id) ?? []).map((x) => x.status),
    ['accepted', 'staged', 'switching', 'done'],
  );
  assert.is(current(c), 'slots/b');
  assert.is(slotVersion(c, 'slots/b'), '0.1.1');
  assert.ok(c.register.exits.some((e) => e.code === 75), JSON.stringify(c.register.exits));
  assert.is(await reportedVersion(c, 20_000, '0.1.1'), '0.1.1');
  assert.equal([...sent.server.served.values()], Array(sent.server.chunkCount).fill(1));
  // The new program writes its own code cache (5 s after its start) and drops the old one.
  const cacheDir = join(c.root, 'var/cache/kassa');
  const own = codeCacheFileName(programIdOf(readFileSync(join(program(c), 'slots/b/kassa-main.cjs'))));
  await pollUntil(() => readdirSync(cacheDir).join() === own, { timeoutMs: 20_000, what: () => `only ${own} in the cache directory, not ${readdirSync(cacheDir).join(', ')}` });
});

it('replayed, forged, another device’s and an older update: each refused, nothing changes', async (c) => {
  const starts = c.register.starts;
  // Replayed: the first update's envelope again, sequence number and all.
  const old = command(c, 'update', orderFor(c.packages.n1, '0.1.1'));
  const first = await sendUpdate(c, old, c.packages.n1);
  await finalOf(c, old.id); // refused not_newer: 0.1.1 already runs, but its sequence number is now used
  await c.link.publish(`${PREFIX}/commands`, first.envelope);
  await first.stop();
  const replays = await c.link.result(old.id, 20_000, (r) => r.reason === 'replayed');
  assert.is(replays.status, 'refused');

  // Forged: nothing of a badly signed payload is believed, not even its id, so it is refused as id null.
  const anonymous = (c.link.commandResults.get(null) ?? []).length;
  const forged = command(c, 'update', orderFor(c.packages.n2broken, '0.1.2'));
  await (await sendUpdate(c, forged, c.packages.n2broken, strangerKey.privateKey)).stop();
  await c.link.result(null, 20_000, () => (c.link.commandResults.get(null) ?? []).length > anonymous);
  assert.equal(pick((c.link.commandResults.get(null) ?? [])[anonymous]!), { status: 'refused', reason: 'bad_signature' });
  assert.not.ok(c.link.commandResults.has(forged.id));

  const other = command(c, 'update', orderFor(c.packages.n2broken, '0.1.2'), { device: 'someone-else' });
  await (await sendUpdate(c, other, c.packages.n2broken)).stop();
  assert.equal(pick(await finalOf(c, other.id)), { status: 'refused', reason: 'other_device' });

  const older = command(c, 'update', orderFor(c.packages.n, '0.1.0'));
  await (await sendUpdate(c, older, c.packages.n)).stop();
  assert.equal(pick(await finalOf(c, older.id)), { status: 'fail', reason: 'not_newer' });

  assert.is(current(c), 'slots/b');
  assert.is(c.register.starts, starts, 'no restart');
});

it('a tampered chunk: refused as chunk_hash, slot a untouched, no restart', async (c) => {
  const starts = c.register.starts;
  const cmd = command(c, 'update', orderFor(c.packages.n2broken, '0.1.2'));
  const sent = await sendUpdate(c, cmd, c.packages.n2broken, cloudKey.privateKey, (i, d) => (i === 1 ? d.map((b, j) => (j === 100 ? b ^ 0xff : b)) : d));
  const r = await finalOf(c, cmd.id);
  await sent.stop();
  assert.equal(pick(r), { status: 'fail', reason: 'chunk_hash' });
  assert.is(slotVersion(c, 'slots/a'), '0.1.0');
  assert.is(current(c), 'slots/b');
  assert.is(c.register.starts, starts);
});

it('SIGKILL during the download: the next start resumes it and the update completes', async (c) => {
  // 0.1.1 → 0.1.0 forced, through kills: each chunk is fetched once, the rest after the restart.
  const cmd = command(c, 'update', orderFor(c.packages.n, '0.1.0', { force: true }));
  let killed = false;
  const sent = await sendUpdate(c, cmd, c.packages.n, cloudKey.privateKey, (i, d) => {
    if (i === 10 && !killed) {
      killed = true;
      void c.register.kill('SIGKILL');
    }
    return d;
  });
  const r = await finalOf(c, cmd.id, 120_000);
  await sent.stop();
  assert.ok(killed);
  assert.is(r.status, 'done', JSON.stringify(c.link.commandResults.get(cmd.id)));
  assert.is(current(c), 'slots/a');
  assert.is(slotVersion(c, 'slots/a'), '0.1.0');
  assert.is(await reportedVersion(c, 20_000, '0.1.0'), '0.1.0');
});

it('a release that cannot start: the boot guard brings the previous slot back; the old version reports crashed', async (c) => {
  const cmd = command(c, 'update', orderFor(c.packages.n2broken, '0.1.2'));
  const sent = await sendUpdate(c, cmd, c.packages.n2broken);
  const r = await finalOf(c, cmd.id, 120_000);
  await sent.stop();
  assert.equal(pick(r), { status: 'fail', reason: 'crashed' });
  assert.is(current(c), 'slots/a');
  assert.is(await reportedVersion(c, 20_000, '0.1.0'), '0.1.0');
  assert.ok(c.register.guardLines.some((l) => /did not confirm it was healthy in 2 starts; slot a is back/.test(l)), c.register.guardLines.join('\n'));
});

it('SIGKILL right after the switch, during the new version’s first start: it still comes up, one version or the other', async (c) => {
  const cmd = command(c, 'update', orderFor(c.packages.n1, '0.1.1'));
  const sent = await sendUpdate(c, cmd, c.packages.n1);
  await c.link.result(cmd.id, 60_000, (x) => (x.status as string) === 'switching');
  const starts = c.register.starts;
  await c.register.waitForStarts(starts + 1, 20_000);
  await c.register.kill('SIGKILL'); // the new version, before it could confirm
  const r = await finalOf(c, cmd.id, 90_000);
  await sent.stop();
  assert.is(r.status, 'done', JSON.stringify(c.link.commandResults.get(cmd.id)));
  assert.is(current(c), 'slots/b');
  assert.is(await reportedVersion(c, 20_000, '0.1.1'), '0.1.1');
});

it('SIGKILL at random moments through a whole update (seeded): after every kill it runs one version or the other', async (c) => {
  const { seed, between } = seededRandom('firmware update: kill moments');
  // 0.1.1 → 0.1.0, forced: download, slot write, switch and first start all happen under fire.
  const cmd = command(c, 'update', orderFor(c.packages.n, '0.1.0', { force: true }));
  const sent = await sendUpdate(c, cmd, c.packages.n);
  const isFinal = (): boolean => (c.link.commandResults.get(cmd.id) ?? []).some((r) => r.status === 'done' || r.status === 'fail');
  const seen: string[] = [];
  for (let kill = 0; kill < 6 && !isFinal(); kill++) {
    await new Promise((r) => setTimeout(r, between(200, 2500)));
    await c.register.kill('SIGKILL');
    const version = await reportedVersion(c, 30_000);
    seen.push(version);
    assert.ok(['0.1.0', '0.1.1'].includes(version), `after kill ${kill + 1} (seed ${seed}) it runs ${version}`);
  }
  const r = await finalOf(c, cmd.id, 120_000);
  await sent.stop();
  assert.is(r.status, 'done', `seed ${seed}: ${JSON.stringify(c.link.commandResults.get(cmd.id))}; versions after kills: ${seen.join(', ')}`);
  assert.is(current(c), 'slots/a');
  assert.is(await reportedVersion(c, 20_000, '0.1.0'), '0.1.0');
});

function pick(r: CommandResult): { status: string; reason?: string } {
  return r.reason === undefined ? { status: r.status } : { status: r.status, reason: String(r.reason) };
}

it.run();
