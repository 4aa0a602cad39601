/**
 * The OFD sender against the FN emulator and the OFD emulator over real TCP on loopback
 * (issue 5): every document confirmed in FD order; faulty OFD replies leave the document
 * queued and nothing crashes; the 30-day block comes and goes with the backlog. The sender's
 * back-off, idle checks and the transport's timeouts run on the rig's stepped clock.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FN } from '../../drivers/fn/fn-commands.ts';
import { FnError } from '../../drivers/fn/fn-error.ts';
import type { OfdEmulatorFaults } from '../../drivers/ofd/emulator/ofd-emulator.ts';
import { closeShift, openShift } from '../../drivers/fn/fn-documents.ts';
import { cashierTags } from '../helpers/fiscal-fixtures.ts';
import { FnDevice } from '../../drivers/fn/emulator/fn-device.ts';
import { FnEmulator } from '../../drivers/fn/emulator/fn-emulator.ts';
import { memoryPortPair } from '../../drivers/memory-port.ts';
import { deviceOptions, FN_NUMBER, T0, testLog, type FnRig } from '../helpers/fn-rig.ts';
import { ofdRig, type OfdRig } from '../helpers/ofd-rig.ts';
import { registeredRig, sell, watchedRig } from '../helpers/fn-session.ts';
import { stepThrough, stepUntil } from '../helpers/poll.ts';

const HOUR = 3600;
const DAY = 86400;

/** Steps the clock until the sender has emptied the FN's queue (or its own 10 s of stepped time ran out). */
function drained(rig: FnRig, o: OfdRig): Promise<boolean> {
  return stepThrough(rig.clock, o.sender.drained(10_000), { stepMs: 20, maxMs: 11_000, what: 'the OFD sender to drain the FN' });
}

async function unsent(rig: FnRig): Promise<number> {
  return (await rig.driver.execute(FN.getUnconfirmedCount, {})).value.count;
}

test('every document reaches the OFD once, in FD order, and leaves the FN queue', async () => {
  const rig = await registeredRig('1.2', { device: { checkTimer: false } });
  const o = await ofdRig(rig);
  try {
    for (let i = 0; i < 5; i++) await sell(rig, T0 + HOUR + i * 60);
    assert.is(await unsent(rig), 7);
    o.sender.start();
    assert.ok(await drained(rig, o));
    assert.is(await unsent(rig), 0);
    assert.equal(o.ofd.documents.map((d) => d.fd), [1, 2, 3, 4, 5, 6, 7]);
    assert.is(o.ofd.counters.duplicates, 0);
    assert.equal(o.deliveries.map((d) => d.k), Array(7).fill('confirmed'));
    assert.ok([...o.ofd.confirmationsOf(FN_NUMBER).values()].every((n) => n === 1));
    // The FN holds the operator's sign for each.
    assert.is((await rig.driver.execute(FN.getOfdReceipt, { fd: 7 })).value.operatorSign.length, 18);
  } finally {
    await o.close();
    await rig.close();
  }
});

test('a backlog drains without asking 20h between its messages', async () => {
  const { rig, sent } = await watchedRig({ device: { checkTimer: false } });
  const o = await ofdRig(rig);
  try {
    for (let i = 0; i < 5; i++) await sell(rig, T0 + HOUR + i * 60);
    sent();
    const codes: number[] = [];
    const count = (code: number): number => (codes.push(...sent()), codes.filter((c) => c === code).length);
    o.sender.start();
    // Until the transport is closed again (21h twice: opened, closed): 20h found the queue empty.
    await stepUntil(rig.clock, () => count(FN.setTransportState.code) >= 2, { stepMs: 20, maxMs: 5000, what: () => `the backlog sent and the transport closed (${o.deliveries.length} confirmed)` });
    assert.is(count(FN.getOfdStatus.code), 2, '20h at the start, and once the count it gave has run out');
    assert.is(count(FN.startMessageRead.code), 7);
    assert.is(count(FN.passOfdReceipt.code), 7);
    assert.is(await unsent(rig), 0);
    assert.equal(o.ofd.documents.map((d) => d.fd), [1, 2, 3, 4, 5, 6, 7]);
  } finally {
    await o.close();
    await rig.close();
  }
});

test('an FN restarted in the middle of a backlog (its transport forgotten) costs no failed exchange', async () => {
  const [register, fnSide] = memoryPortPair('fn');
  const rig = await registeredRig('1.2', { ports: [register, fnSide], device: { checkTimer: false } });
  const o = await ofdRig(rig);
  try {
    for (let i = 0; i < 5; i++) await sell(rig, T0 + HOUR + i * 60);
    o.sender.start();
    await stepUntil(rig.clock, () => o.deliveries.length >= 2, { stepMs: 5, maxMs: 5000, what: 'two documents confirmed' });
    // The FN's power cycle: a new device from the same durable records; its RAM (the
    // transport 21h reported open) starts empty.
    rig.emulator.stop();
    const device = new FnDevice({ store: rig.store, clock: rig.clock, log: testLog() }, deviceOptions({ checkTimer: false }));
    device.boot();
    const restarted = new FnEmulator({ port: fnSide, device, clock: rig.clock, log: testLog(), random: () => 0.5 });
    restarted.start();
    await stepUntil(rig.clock, () => o.deliveries.length >= 7, { stepMs: 20, maxMs: 10_000, what: () => `the backlog sent (${o.deliveries.length} of 7)` });
    assert.is(o.sender.stats.failures, 0, `failures: ${o.sender.stats.failures} (${o.sender.stats.lastError})`);
    assert.equal(o.ofd.documents.map((d) => d.fd), [1, 2, 3, 4, 5, 6, 7]);
    restarted.stop();
  } finally {
    await o.close();
    await rig.close();
  }
});

const faults: [string, Partial<OfdEmulatorFaults>, string][] = [
  ['garbage reply', { garbage: true }, 'failed'],
  ['partial reply', { partial: true }, 'failed'],
  ['closed mid-reply', { closeMidReply: true }, 'failed'],
  ['OFD down', { down: true }, 'failed'],
  ['rejected with a code', { rejectCode: 14 }, 'refused'],
];

for (const [name, fault, kind] of faults) {
  test(`${name}: logged, the document stays queued, nothing crashes; fixed, it drains`, async () => {
    const rig = await registeredRig('1.2', { device: { checkTimer: false } });
    const o = await ofdRig(rig, fault);
    try {
      o.sender.start();
      // Back-off 20, 40, 80 ms (×0.75 with random 0.5): three attempts within 200 ms of stepped time.
      await stepUntil(rig.clock, () => o.deliveries.length >= 3, { stepMs: 10, maxMs: 2000, what: () => `three attempts logged (${o.deliveries.length})` });
      assert.ok(o.deliveries.every((d) => d.k === kind && d.fd === 1), JSON.stringify(o.deliveries.slice(0, 3)));
      assert.ok(o.sender.stats.failures >= 3);
      assert.is(await unsent(rig), 2, 'still both documents in the FN');
      Object.assign(o.ofd.faults, { garbage: false, partial: false, closeMidReply: false, down: false, rejectCode: 0 });
      assert.ok(await drained(rig, o));
      assert.is(await unsent(rig), 0);
    } finally {
      await o.close();
      await rig.close();
    }
  });
}

test('the 30-day block: receipts fail with 14h while the OFD is away, and work once the backlog drains', async () => {
  const rig = await registeredRig('1.2', { device: { checkTimer: false } });
  const o = await ofdRig(rig, { down: true });
  try {
    await sell(rig, T0 + HOUR);
    await closeShift(rig.driver, '1.2', rig.at(T0 + 2 * HOUR), cashierTags);
    const later = T0 + 31 * DAY;
    const blocked = await openShift(rig.driver, '1.2', rig.at(later), cashierTags).catch((e: unknown) => e);
    assert.instance(blocked, FnError);
    assert.is((blocked as FnError).fnCode, 0x14);
    o.ofd.faults.down = false;
    o.sender.start();
    assert.ok(await drained(rig, o));
    const opened = await openShift(rig.driver, '1.2', later, cashierTags);
    assert.is(opened.shiftNumber, 2);
    assert.is((await sell(rig, later + 60)).receiptNumber, 1);
  } finally {
    await o.close();
    await rig.close();
  }
});

test.run();
