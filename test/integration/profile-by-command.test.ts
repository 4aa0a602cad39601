/**
 * Issue 12 §2 with real processes: a register provisioned by claim takes signed profile
 * commands. A bad profile is rejected with every problem and its config path, and nothing
 * changes on disk; a good one is applied with its new version, the register restarts with
 * it, re-registers the FN for the changed address (reported under the same command id), and
 * sells with the new data.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { tlsOptions } from '../../firmware/cli/cloud-link.ts';
import { signCommand } from '../../firmware/security/command-envelope.ts';
import type { CommandResult } from '../../firmware/security/command-gate.ts';
import { demoProfile, startClaimRig, type ClaimRig } from '../helpers/claim-rig.ts';
import { connectCloud, type Cloud } from '../helpers/cloud.ts';

const sample = JSON.parse(readFileSync('device-config/samples/sell-atol.json', 'utf8')) as Record<string, unknown>;
const it = suite<{ rig?: ClaimRig; jobs?: Cloud }>('profile changes by command (real processes, TLS mosquitto)', {});

it.after(async (ctx) => {
  await ctx.jobs?.close();
  await ctx.rig?.close();
});

it('rejected with every problem and nothing changed; applied → restart → re-registration → sale', async (ctx) => {
  const rig = (ctx.rig = await startClaimRig('shop-3-kassa-1'));
  rig.startRuntime();
  const prefix = 'kassa/shop-3-kassa-1';
  const jobs = (ctx.jobs = await connectCloud(rig.broker.url, prefix, 'cloud-jobs-3', undefined, tlsOptions(rig.cloudTls)));
  await jobs.online(30_000);
  await rig.cloud.watch(`${prefix}/results`);
  const send = async (body: Record<string, unknown>, final = (r: CommandResult) => r.status !== 'done' || r['stage'] === undefined): Promise<CommandResult> => {
    const c = await rig.cloud.command(`${prefix}/commands`, rig.cloudKey.privateKey, 'shop-3-kassa-1', 'profile', body);
    return rig.cloud.result(c.id, 30_000, final);
  };
  const profilePath = join(rig.dataDir, 'identity', 'profile.json');
  const onDisk = readFileSync(profilePath, 'utf8');

  const bad = demoProfile({ deviceId: 'other', shift: { closeAt: '25:00' }, cashier: {} });
  const rejected = await send({ version: 2, profile: bad });
  assert.is(rejected.status, 'rejected');
  const paths = (rejected['problems'] as { path: string }[]).map((p) => p.path).sort();
  assert.equal(paths, ['cashier.name', 'deviceId', 'shift.closeAt'], JSON.stringify(rejected['problems']));
  assert.is(rejected['profile_version'], 1, 'still the claimed version');
  // Check digits are checked once the schema holds (config/parse-config.ts), with the same path.
  const badInn = demoProfile();
  (badInn['registration'] as Record<string, unknown>)['inn'] = '7707083894';
  assert.equal(((await send({ version: 2, profile: badInn }))['problems'] as { path: string }[]).map((p) => p.path), ['registration.inn']);
  const stale = await send({ version: 1, profile: demoProfile() });
  assert.equal((stale['problems'] as { path: string }[]).map((p) => p.path), ['version']);
  assert.is(readFileSync(profilePath, 'utf8'), onDisk, 'nothing written');

  // Forged, replayed, other-device and unsigned profiles: every one refused, nothing written.
  const good = demoProfile({ cashier: { name: 'Злоумышленник' } });
  const stranger = generateKeyPairSync('ed25519');
  const commands = `${prefix}/commands`;
  const forged = await rig.cloud.command(commands, stranger.privateKey, 'shop-3-kassa-1', 'profile', { version: 5, profile: good });
  const other = await rig.cloud.command(commands, rig.cloudKey.privateKey, 'shop-9-kassa-1', 'profile', { version: 5, profile: good });
  const signedOnce = await rig.cloud.command(commands, rig.cloudKey.privateKey, 'shop-3-kassa-1', 'settings', { closeAt: '22:00' });
  await rig.cloud.result(signedOnce.id, 20_000);
  await rig.cloud.publish(commands, JSON.stringify(signCommand(signedOnce, rig.cloudKey.privateKey)));
  await rig.cloud.publish(commands, JSON.stringify({ id: 'plain-profile', type: 'profile', body: { version: 5, profile: good } }));
  const refusals = async (): Promise<string[]> => {
    await rig.cloud.result(signedOnce.id, 20_000, (r) => r.reason === 'replayed');
    await rig.cloud.result('plain-profile', 20_000);
    await rig.cloud.result(other.id, 20_000);
    await rig.cloud.result(null, 20_000, (r) => r.reason === 'bad_signature');
    return [...rig.cloud.commandResults.values()].flat().filter((r) => r.status === 'refused').map((r) => String(r.reason)).sort();
  };
  assert.equal(await refusals(), ['bad_signature', 'other_device', 'replayed', 'unsigned'], `forged ${forged.id}: every attempt refused`);
  assert.is(readFileSync(profilePath, 'utf8'), onDisk, 'nothing written by any of them');

  const moved = demoProfile();
  (moved['registration'] as Record<string, unknown>)['address'] = 'г. Москва, ул. Новый Арбат, д. 1';
  const c = await rig.cloud.command(`${prefix}/commands`, rig.cloudKey.privateKey, 'shop-3-kassa-1', 'profile', { version: 2, profile: moved });
  const applied = await rig.cloud.result(c.id, 30_000, (r) => r.status === 'applied');
  assert.is(applied['profile_version'], 2);
  assert.is(applied['restart'], true);
  assert.equal(applied['reregister'], ['address']);
  const rereg = await rig.cloud.result(c.id, 60_000, (r) => r['stage'] === 'reregistered');
  assert.is(rereg.status, 'done', JSON.stringify(rereg));
  assert.is((rereg['registration'] as { address: string }).address, 'г. Москва, ул. Новый Арбат, д. 1');
  assert.is(JSON.parse(readFileSync(profilePath, 'utf8')).version, 2);

  await jobs.publish(JSON.stringify({ ...sample, id: 'after-profile' }));
  const sale = await jobs.final('after-profile', 30_000);
  assert.is(sale.status, 'done', JSON.stringify(sale.error));
  assert.ok(sale.payload!.fiscal_document_number > (rereg['fd'] as number), 'the sale comes after the re-registration');

  // The retained status names the config (profile) version and the firmware.
  const status = await new Promise<Record<string, any>>((resolve) => {
    rig.cloud.client.on('message', (topic, m) => {
      const s = JSON.parse(m.toString()) as Record<string, any>;
      if (topic === `${prefix}/status` && s['provisioning']?.['config_version'] === 2) resolve(s);
    });
    void rig.cloud.client.subscribeAsync(`${prefix}/status`, { qos: 1 });
  });
  assert.is(status['provisioning']['provisioned'], 'by claim');
  assert.is(status['provisioning']['firmware'], JSON.parse(readFileSync('package.json', 'utf8')).version);
  assert.is(status['provisioning']['registration'], 'registered');
});

it.run();
