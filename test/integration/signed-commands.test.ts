/**
 * Issue 12 §4 against a real mosquitto: with a pinned cloud key the register acts only on
 * commands the cloud signed for it, in their window, never twice; forged, replayed,
 * other-device, expired and unsigned attempts are each refused, counted, reported on the
 * results topic, and change nothing. With security.requireSignedJobs an unsigned receipt job
 * makes no fiscal document and a signed one does.
 */
import { systemClock } from '../../firmware/core/clock.ts';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FN } from '../../drivers/fn/fn-commands.ts';
import { CloudLink } from '../../firmware/cli/cloud-link.ts';
import { signCommand } from '../../firmware/security/command-envelope.ts';
import { startAppRig, removeDir, type AppRig } from '../helpers/app-rig.ts';
import { connectCloud, type Cloud } from '../helpers/cloud.ts';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.ts';

const cloudKey = generateKeyPairSync('ed25519');
const strangerKey = generateKeyPairSync('ed25519');
const sample = JSON.parse(readFileSync('device-config/samples/sell-atol.json', 'utf8')) as Record<string, unknown>;

const it = suite<{ broker?: Mosquitto; rig?: AppRig; link?: CloudLink; jobs?: Cloud }>('signed cloud commands (mosquitto)', {});

const settingsOnDisk = (rig: AppRig): unknown => (JSON.parse(readFileSync(join(rig.dataDir, 'device-state.json'), 'utf8')) as { settings: unknown }).settings;

it.before(async (ctx) => {
  ctx.broker = await startMosquitto();
  ctx.rig = await startAppRig(ctx.broker.url, { security: { cloudPublicKey: cloudKey.publicKey.export({ type: 'spki', format: 'pem' }).toString(), requireSignedJobs: true } });
  ctx.jobs = await connectCloud(ctx.broker.url, ctx.rig.config.mqtt.topicPrefix);
  await ctx.jobs.online();
  ctx.link = await CloudLink.connect({ clock: systemClock(), url: ctx.broker.url });
  await ctx.link.watch(`${ctx.rig.config.mqtt.topicPrefix}/results`);
});

it.after(async (ctx) => {
  await ctx.link?.close();
  await ctx.jobs?.close();
  await ctx.rig?.stop();
  await ctx.broker?.close();
  if (ctx.rig) removeDir(ctx.rig.dataDir);
});

it('a signed settings command is applied; every forged, replayed, other-device, expired or unsigned attempt is refused and changes nothing', async (ctx) => {
  const { rig, link } = ctx as Required<typeof ctx>;
  const device = rig.config.deviceId;
  const commands = `${rig.config.mqtt.topicPrefix}/commands`;
  const provisioning = `${rig.config.mqtt.topicPrefix}/provisioning`;
  const good = await link.command(commands, cloudKey.privateKey, device, 'settings', { closeAt: '21:30', cashier: { name: 'Петров Пётр' } });
  assert.equal((await link.result(good.id)).status, 'applied');
  const applied = settingsOnDisk(rig);
  assert.equal(applied, { closeAt: '21:30', cashier: { name: 'Петров Пётр' } });

  const evil = { closeAt: '03:00', cashier: { name: 'Злоумышленник' } };
  const t = Date.now();
  const attempts: [string, () => Promise<string | null>, string][] = [
    ['signed by another key', async () => {
      await link.command(commands, strangerKey.privateKey, device, 'settings', evil, { id: 'forged-1' });
      return null; // a payload not signed by the cloud is not believed, its id neither
    }, 'bad_signature'],
    ['the good command again (replay)', async () => {
      await link.publish(commands, JSON.stringify(signCommand(good, cloudKey.privateKey)));
      return good.id;
    }, 'replayed'],
    ['for another register', async () => (await link.command(commands, cloudKey.privateKey, device, 'settings', evil, { id: 'other-1', device: 'someone-else' })).id, 'other_device'],
    ['expired', async () => (await link.command(commands, cloudKey.privateKey, device, 'settings', evil, { id: 'old-1', issuedAt: t - 3_600_000, lifetimeMs: 60_000, seq: t + 10 })).id, 'expired'],
    ['an older sequence number', async () => (await link.command(commands, cloudKey.privateKey, device, 'settings', evil, { id: 'seq-1', seq: 1 })).id, 'replayed'],
    ['unsigned on the commands topic', async () => {
      await link.publish(commands, JSON.stringify({ id: 'plain-1', type: 'settings', body: evil }));
      return 'plain-1';
    }, 'unsigned'],
    ['unsigned on the provisioning topic', async () => {
      await link.publish(provisioning, JSON.stringify({ id: 'plain-2', ...evil }));
      return 'plain-2';
    }, 'unsigned'],
    ['a tampered payload', async () => {
      const env = signCommand({ ...good, id: 'tamper-1', seq: t + 20 }, cloudKey.privateKey);
      const forged = Buffer.from(JSON.stringify({ ...good, id: 'tamper-1', seq: t + 20, body: evil })).toString('base64url');
      await link.publish(commands, JSON.stringify({ ...env, payload: forged }));
      return null;
    }, 'bad_signature'],
  ];
  const before = rig.app.describe()['provisioning'] as { commands: { refused: number } };
  const seen = new Map<string, number>();
  for (const [what, send, reason] of attempts) {
    const id = await send();
    const key = `${id}/${reason}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    // The n-th refusal of this id for this reason (forged payloads name no id: null).
    await link.result(id, 10_000, (x) => x.status === 'refused' && x.reason === reason && link.commandResults.get(id)!.filter((y) => y.reason === reason).length >= n).catch((e: Error) => assert.unreachable(`${what}: ${e.message}`));
  }
  const after = rig.app.describe()['provisioning'] as { commands: { refused: number; accepted: number; byReason: Record<string, number> } };
  assert.is(after.commands.refused - before.commands.refused, attempts.length, 'every attempt refused and counted');
  assert.is(after.commands.accepted, 1);
  assert.equal(settingsOnDisk(rig), applied, 'nothing changed');
});

it('with requireSignedJobs an unsigned job makes no fiscal document; the same job signed is fiscalized', async (ctx) => {
  const { rig, link } = ctx as Required<typeof ctx>;
  const fn = rig.app.fn;
  const lastFd = async (): Promise<number> => (await fn.status()).lastFd;
  const jobs = `${rig.config.mqtt.topicPrefix}/jobs`;
  const before = await lastFd();
  await link.publish(jobs, JSON.stringify({ ...sample, id: 'unsigned-job-1' }));
  assert.is((await link.result('unsigned-job-1', 10_000)).reason, 'unsigned');
  await link.command(jobs, strangerKey.privateKey, rig.config.deviceId, 'job', { ...sample, id: 'forged-job-1' }, { id: 'forged-job-1' });
  assert.is((await link.result(null, 10_000, (r) => r.reason === 'bad_signature' && r.command === 'job')).status, 'refused');
  assert.is(await lastFd(), before, 'no fiscal document for a refused job');
  await link.command(jobs, cloudKey.privateKey, rig.config.deviceId, 'job', { ...sample, id: 'signed-job-1' }, { id: 'signed-job-1' });
  const result = await ctx.jobs!.final('signed-job-1');
  assert.is(result.status, 'done', JSON.stringify(result.error));
  assert.ok((await lastFd()) > before);
});

it.run();
