/**
 * Issue 5 acceptance: the OFD is down for a simulated 10 days (injected clock) while 500
 * receipt jobs arrive over a real mosquitto; when it returns every document is confirmed,
 * in FD order, none lost, none confirmed twice; the retained status topic showed the
 * backlog growing and draining.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { FN } from '../../drivers/fn/fn-commands.ts';
import { OfdEmulator } from '../../drivers/ofd/emulator/ofd-emulator.ts';
import { TEST_OPERATOR_KEY } from '../../drivers/ofd/operator-sign.ts';
import { startApp } from '../../firmware/app.ts';
import type { DeviceStatus } from '../../firmware/status/device-status.ts';
import { removeDir, testConfig } from '../helpers/app-rig.ts';
import { connectCloud } from '../helpers/cloud.ts';
import { OFD_INN } from '../helpers/fiscal-fixtures.ts';
import { FN_NUMBER, testLog } from '../helpers/fn-rig.ts';
import { HandSetClock } from '../helpers/hand-set-clock.ts';
import { startMosquitto } from '../helpers/mosquitto.ts';
import { pollUntil } from '../helpers/poll.ts';

const DAYS = 10;
const PER_DAY = 50;
const DAY_MS = 86_400_000;
const base = JSON.parse(readFileSync('device-config/samples/sell-atol.json', 'utf8')) as Record<string, unknown>;

/** A register on mosquitto with an injected clock, whose OFD (an emulator over TCP) is down. */
async function registerWithOfdDown() {
  const broker = await startMosquitto();
  const dataDir = mkdtempSync(join(tmpdir(), 'kassa-sf-'));
  const clock = new HandSetClock(Date.UTC(2026, 10, 2, 7, 0));
  const ofd = new OfdEmulator({ clock, log: testLog() }, { ofdInn: OFD_INN, operatorKey: TEST_OPERATOR_KEY }, { down: true });
  const ofdPort = await ofd.listen(0);
  const config = testConfig(broker.url, dataDir, {
    fn: { kind: 'emulator', checkTimer: false },
    ofd: { kind: 'tcp', host: '127.0.0.1', port: ofdPort },
    ofdLink: { backoffMinMs: 20, backoffMaxMs: 300, idleCheckMs: 200, connectTimeoutMs: 500, receiveTimeoutMs: 500 },
  });
  const app = await startApp(config, { clock, log: testLog(), random: Math.random, out: () => {} });
  const cloud = await connectCloud(broker.url, config.mqtt.topicPrefix);
  return {
    broker,
    clock,
    ofd,
    config,
    app,
    cloud,
    async close() {
      await cloud.close();
      await app.stop();
      await ofd.close();
      await broker.close();
      removeDir(dataDir);
    },
  };
}

test(`OFD down ${DAYS} days while ${DAYS * PER_DAY} receipts are formed: all confirmed once, in FD order, after it returns`, async () => {
  const { broker, clock, ofd, config, app, cloud, close } = await registerWithOfdDown();
  const statuses: DeviceStatus[] = [];
  const watcher = await mqtt.connectAsync(broker.url, { clientId: `status-watch-${process.pid}`, protocolVersion: 4 });
  watcher.on('message', (_t, m) => statuses.push(JSON.parse(m.toString()) as DeviceStatus));
  await watcher.subscribeAsync(`${config.mqtt.topicPrefix}/status`, { qos: 1 });
  try {
    await cloud.online();
    const ids: string[] = [];
    for (let day = 0; day < DAYS; day++) {
      clock.set(Date.UTC(2026, 10, 2 + day, 7, 0));
      const today = Array.from({ length: PER_DAY }, (_, i) => `sf-${day}-${i}`);
      for (const id of today) await cloud.publish(JSON.stringify({ ...base, id }));
      await cloud.allFinal(today, 60_000);
      ids.push(...today);
      clock.advance(2000);
      await app.publishStatus();
    }
    const failed = ids.filter((id) => cloud.results.get(id)?.some((r) => r.status === 'fail'));
    assert.equal(failed, [], 'every job fiscalized while the OFD was away');

    ofd.faults.down = false;
    // Each look moves the injected clock on 2 s (the sender's back-off and idle checks run on it)
    // and publishes a status, so the cloud sees the backlog drain.
    await pollUntil(
      async () => {
        clock.advance(2000);
        await app.publishStatus();
        return (await app.status()).ofd?.unsent === 0;
      },
      { timeoutMs: 60_000, intervalMs: 100, what: 'the OFD backlog to drain' },
    );
    // The backlog may have drained between the last publish and the read above: publish once
    // more, and wait until the cloud has that status (the last one it got says 0), not a while.
    await app.publishStatus();
    await pollUntil(() => statuses.at(-1)?.ofd?.unsent === 0, { timeoutMs: 5000, intervalMs: 20, what: () => `the status with an empty backlog (last: ${JSON.stringify(statuses.at(-1)?.ofd)})` });

    const lastFd = (await app.fn.driver.execute(FN.getStatus, {})).value.lastFd;
    assert.is((await app.fn.driver.execute(FN.getUnconfirmedCount, {})).value.count, 0, 'nothing left unsent in the FN');
    const fds = ofd.documents.map((d) => d.fd);
    assert.equal(fds, Array.from({ length: lastFd }, (_, i) => i + 1), 'every FD reached the OFD, in FD order');
    assert.is(ofd.counters.duplicates, 0, 'none confirmed twice');
    assert.ok([...ofd.confirmationsOf(FN_NUMBER).values()].every((n) => n === 1));
    assert.ok(lastFd >= DAYS * PER_DAY + 2 * DAYS, `${lastFd} FDs: receipts plus a shift opened and closed each day`);

    const backlog = statuses.filter((s) => s.ofd !== undefined).map((s) => s.ofd?.unsent ?? 0);
    const peak = Math.max(...backlog);
    const peakAt = backlog.indexOf(peak);
    assert.ok(peak >= DAYS * PER_DAY, `the status showed the backlog growing to ${peak}`);
    assert.ok(backlog.slice(0, peakAt + 1).every((v, i, a) => i === 0 || v >= (a[i - 1] ?? 0)), `growing: ${backlog.slice(0, peakAt + 1).join(' ')}`);
    assert.is(backlog[backlog.length - 1], 0, 'and draining to zero');
    assert.ok(statuses.some((s) => s.ofd?.level === 'warning' || s.ofd?.level === 'notice'), 'escalated past 2 days');
  } finally {
    await watcher.endAsync();
    await close();
  }
});

test('the FN blocked after 30 days without the OFD: jobs fail with fix_device and say why; the backlog drains and jobs work again', async () => {
  const { broker, clock, ofd, config, app, cloud, close } = await registerWithOfdDown();
  try {
    await cloud.online();
    await cloud.publish(JSON.stringify({ ...base, id: 'block-1' }));
    assert.is((await cloud.final('block-1')).status, 'done');
    clock.advance(31 * DAY_MS);
    await cloud.publish(JSON.stringify({ ...base, id: 'block-2' }));
    const blocked = await cloud.final('block-2');
    assert.is(blocked.status, 'fail');
    assert.is(blocked.error?.recommendation, 'fix_device');
    assert.is(blocked.error?.code, 'fn_blocked');
    assert.match(blocked.error?.text ?? '', /more than 30 days.*oldest FD 1 of 02\.11\.2026/);
    assert.is((await app.status()).ofd?.level, 'blocked');

    ofd.faults.down = false;
    await pollUntil(async () => (await app.status()).ofd?.unsent === 0, { timeoutMs: 10_000, intervalMs: 100, what: 'the OFD backlog to drain' });
    assert.is((await app.status()).ofd?.unsent, 0, 'the backlog drained');
    await cloud.publish(JSON.stringify({ ...base, id: 'block-3' }));
    assert.is((await cloud.final('block-3')).status, 'done', 'jobs succeed again');
  } finally {
    await close();
  }
});

test.run();
