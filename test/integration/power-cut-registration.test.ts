/**
 * Issue 12 §6: power cuts (SIGKILL of `kassa run`, whose FN emulator keeps its state in a
 * file like a real FN keeps its archive) at several moments after a signed `register`
 * command. Every restart comes back online as the provisioned register; sending `register`
 * again ends in "done" or "already registered"; the FN holds exactly one registration report.
 */
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FnDevice } from '../../drivers/fn/emulator/fn-device.ts';
import { fileStateStore } from '../../drivers/fn/emulator/fn-state-store.ts';
import { tlsOptions } from '../../firmware/cli/cloud-link.ts';
import { ManualClock } from '../../firmware/core/clock.ts';
import { FD_TYPE } from '../../firmware/fiscal/tag-table.ts';
import { demoProfile, startClaimRig, type ClaimRig } from '../helpers/claim-rig.ts';
import { connectCloud } from '../helpers/cloud.ts';
import { deviceOptions, testLog } from '../helpers/fn-rig.ts';

const it = suite<{ rig?: ClaimRig }>('power cuts during registration (real processes, TLS mosquitto)', {});

it.after(async (ctx) => {
  await ctx.rig?.close();
});

it('kill -9 at 0–150 ms after register, again and again: one registration report, never two', async (ctx) => {
  const rig = (ctx.rig = await startClaimRig('shop-4-kassa-1'));
  rig.assign = () => ({ deviceId: 'shop-4-kassa-1', brokerUrl: rig.broker.url, topicPrefix: 'kassa/shop-4-kassa-1', profile: demoProfile({ registration: { ...(demoProfile()['registration'] as object), autoRegister: false } }), profileVersion: 1 });
  const prefix = 'kassa/shop-4-kassa-1';
  await rig.cloud.watch(`${prefix}/results`);
  const online = async (): Promise<void> => {
    const c = await connectCloud(rig.broker.url, prefix, `cloud-online-${Date.now()}`, undefined, tlsOptions(rig.cloudTls));
    try {
      await c.online(30_000);
    } finally {
      await c.close();
    }
  };
  const registerCommand = () => rig.cloud.command(`${prefix}/commands`, rig.cloudKey.privateKey, 'shop-4-kassa-1', 'register', {});
  const cuts = [0, 15, 40, 80, 150];
  for (const ms of cuts) {
    rig.startRuntime();
    await online();
    await registerCommand();
    await new Promise((r) => setTimeout(r, ms));
    await rig.killRuntime('SIGKILL');
  }
  rig.startRuntime();
  await online();
  const last = await registerCommand();
  const r = await rig.cloud.result(last.id, 30_000);
  assert.ok(r.status === 'done' || (r.status === 'rejected' && r['reason'] === 'wrong_phase'), JSON.stringify(r));
  await rig.killRuntime('SIGTERM');

  const store = fileStateStore(join(rig.dataDir, 'fn-emulator.bin'));
  const device = new FnDevice({ store, clock: new ManualClock(Date.now()), log: testLog() }, deviceOptions({ secret: 'demo-fn-secret' }));
  device.boot();
  store.close();
  const registrations = [...device.snapshot.documents.values()].filter((d) => d.fdType === FD_TYPE.registration);
  assert.is(registrations.length, 1, 'exactly one registration report');
  assert.is(device.snapshot.state.phase, 0x03);
});

it.run();
