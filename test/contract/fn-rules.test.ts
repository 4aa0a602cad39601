/**
 * The FN's rules, each a typed FnError with the FN's code, and none of them corrupting the
 * emulator's state (fn-protocol Tables 31–75; issue 2 acceptance).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FN } from '../../drivers/fn/fn-commands.ts';
import { FnError } from '../../drivers/fn/fn-error.ts';
import { FnDevice } from '../../drivers/fn/emulator/fn-device.ts';
import { readOfdMessage } from '../../drivers/fn/fn-procedures.ts';
import { encodeConfirmation } from '../../drivers/ofd/operator-confirmation.ts';
import { decodeContainer } from '../../drivers/ofd/ofd-container.ts';
import { TEST_OPERATOR_KEY } from '../../drivers/ofd/operator-sign.ts';
import { encodeTlv } from '../../firmware/fiscal/tlv-codec.ts';
import { closeShift, openShift } from '../../drivers/fn/fn-documents.ts';
import { cashierTags, OFD_INN } from '../helpers/fiscal-fixtures.ts';
import { deviceOptions, fnRig, T0, testLog, type FnRig } from '../helpers/fn-rig.ts';
import { registeredRig, sell } from '../helpers/fn-session.ts';

const HOUR = 3600;
const DAY = 86400;

async function refusal(promise: Promise<unknown>): Promise<FnError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof FnError) return e;
    throw e;
  }
  throw new assert.Assertion({ message: 'expected the FN to refuse', operator: 'throws', generated: true, expects: 'FnError', actual: 'success' });
}

/** The state survives the refusal: same last FD, and a fresh device loaded from the same records agrees. */
async function assertIntact(rig: FnRig, lastFd: number): Promise<void> {
  const status = (await rig.driver.execute(FN.getStatus, {})).value;
  assert.is(status.lastFd, lastFd, 'no FD was formed by the refused command');
  const reloaded = new FnDevice({ store: rig.store, clock: rig.clock, log: testLog() }, deviceOptions());
  reloaded.boot();
  assert.equal(reloaded.snapshot.state, rig.device.snapshot.state, 'the durable records agree with the running device');
  assert.is(reloaded.snapshot.documents.size, rig.device.snapshot.documents.size);
}

test('a command in the wrong phase: 02h', async () => {
  const rig = fnRig();
  try {
    const e = await refusal(rig.driver.execute(FN.startOpenShift, { dateTime: T0 }));
    assert.is(e.fnCode, 0x02);
    assert.is(e.command, 0x11);
    assert.match(e.message, /wrong FN state/);
    await assertIntact(rig, 0);
  } finally {
    await rig.close();
  }
});

test('a receipt more than 24 hours after the shift opened: 16h; the shift can still be closed', async () => {
  const rig = await registeredRig();
  try {
    await sell(rig, T0 + 2 * HOUR);
    const e = await refusal(rig.driver.execute(FN.startReceipt, { dateTime: rig.at(T0 + 60 + DAY + 60) }));
    assert.is(e.fnCode, 0x16);
    assert.is(e.fnCodeId, 'SHIFT_OVER_24H');
    await assertIntact(rig, 3);
    const closed = await closeShift(rig.driver, '1.2', rig.at(T0 + DAY + 2 * HOUR), cashierTags);
    assert.is(closed.fd, 4);
    const reopened = await openShift(rig.driver, '1.2', rig.at(T0 + DAY + 2 * HOUR + 60), cashierTags);
    assert.is(reopened.shiftNumber, 2);
    assert.is((await sell(rig, T0 + DAY + 3 * HOUR)).receiptNumber, 1);
  } finally {
    await rig.close();
  }
});

test('a tag the FN forms itself: 0Bh naming the tag', async () => {
  const rig = await registeredRig();
  try {
    await rig.driver.execute(FN.startReceipt, { dateTime: rig.at(T0 + HOUR) });
    const e = await refusal(rig.driver.execute(FN.sendTlv, { tlv: encodeTlv([{ tag: 1020, value: 100 }], '1.2') }));
    assert.is(e.fnCode, 0x0b);
    assert.is(e.tag, 1020);
    assert.match(e.message, /tag 1020/);
    await rig.driver.execute(FN.cancelDocument, {});
    await assertIntact(rig, 2);
  } finally {
    await rig.close();
  }
});

test('FFD 1.05 mode: no 0Bh by default (Table 5: FFD 1.1 on); the refuseFormedTagsInFfd105 knob brings it back', async () => {
  for (const [knob, refused] of [[false, false], [true, true]] as const) {
    const rig = await registeredRig('1.05', { device: { refuseFormedTagsInFfd105: knob } });
    try {
      await rig.driver.execute(FN.startReceipt, { dateTime: rig.at(T0 + HOUR) });
      const sent = rig.driver.execute(FN.sendTlv, { tlv: encodeTlv([{ tag: 1020, value: 100 }], '1.05') });
      if (refused) assert.is((await refusal(sent)).fnCode, 0x0b);
      else await sent;
      await rig.driver.execute(FN.cancelDocument, {});
    } finally {
      await rig.close();
    }
  }
});

test('a duplicated tag: 0Ch naming the tag', async () => {
  const rig = await registeredRig();
  try {
    await rig.driver.execute(FN.startReceipt, { dateTime: rig.at(T0 + HOUR) });
    await rig.driver.execute(FN.sendTlv, { tlv: encodeTlv([{ tag: 1055, value: 1 }], '1.2') });
    const e = await refusal(rig.driver.execute(FN.sendTlv, { tlv: encodeTlv([{ tag: 1055, value: 1 }], '1.2') }));
    assert.is(e.fnCode, 0x0c);
    assert.is(e.tag, 1055);
  } finally {
    await rig.close();
  }
});

test('a TLV whose length does not fit its tag: 18h; a truncated TLV: 18h', async () => {
  const rig = await registeredRig();
  try {
    await rig.driver.execute(FN.startReceipt, { dateTime: rig.at(T0 + HOUR) });
    // 1055 is a byte; here it claims 2 bytes.
    const e = await refusal(rig.driver.execute(FN.sendTlv, { tlv: Uint8Array.of(0x1f, 0x04, 0x02, 0x00, 0x01, 0x00) }));
    assert.is(e.fnCode, 0x18);
    const t = await refusal(rig.driver.execute(FN.sendTlv, { tlv: Uint8Array.of(0x1f, 0x04, 0x05, 0x00, 0x01) }));
    assert.is(t.fnCode, 0x18);
    await rig.driver.execute(FN.cancelDocument, {});
    await assertIntact(rig, 2);
  } finally {
    await rig.close();
  }
});

test('more data than the document allows: 10h (close shift takes 1 KB)', async () => {
  const rig = await registeredRig();
  try {
    await rig.driver.execute(FN.startCloseShift, { dateTime: rig.at(T0 + HOUR) });
    const big = encodeTlv(
      Array.from({ length: 5 }, (_, i) => ({ tag: 1084, value: [{ tag: 1085, value: `p${i}` }, { tag: 1086, value: 'я'.repeat(240) }] })),
      '1.2',
    );
    assert.ok(big.length > 1024 && big.length <= 1536);
    const e = await refusal(rig.driver.execute(FN.sendTlv, { tlv: big }));
    assert.is(e.fnCode, 0x10);
    await rig.driver.execute(FN.cancelDocument, {});
    await assertIntact(rig, 2);
  } finally {
    await rig.close();
  }
});

test('the clock going backwards: 07h', async () => {
  const rig = await registeredRig();
  try {
    await sell(rig, T0 + HOUR);
    const e = await refusal(rig.driver.execute(FN.startReceipt, { dateTime: rig.at(T0 + HOUR - 120) }));
    assert.is(e.fnCode, 0x07);
    await assertIntact(rig, 3);
  } finally {
    await rig.close();
  }
});

test("the register's clock drifting from the FN timer by more than 5 minutes: 17h", async () => {
  const rig = await registeredRig();
  try {
    await sell(rig, T0 + HOUR);
    rig.at(T0 + HOUR + 60); // the FN timer moves one minute…
    const e = await refusal(rig.driver.execute(FN.startReceipt, { dateTime: T0 + 2 * HOUR })); // …the register claims an hour
    assert.is(e.fnCode, 0x17);
    await assertIntact(rig, 3);
  } finally {
    await rig.close();
  }
});

test('FFD 1.2: a receipt with one payment sum is formed: 0Dh is FFD 1.1 only (fn-protocol Table 68)', async () => {
  const rig = await registeredRig();
  try {
    await rig.driver.execute(FN.startReceipt, { dateTime: rig.at(T0 + HOUR) });
    await rig.driver.execute(FN.sendTlv, { tlv: encodeTlv([{ tag: 1031, value: 500 }], '1.2') });
    const formed = await rig.driver.execute(FN.formReceipt, { dateTime: T0 + HOUR, operationType: 1, total: 500 });
    assert.is(formed.value.receiptNumber, 1);
    // Nor does the FN check sums by default: it runs no format-logic checks (§4.3.1).
    await rig.driver.execute(FN.startReceipt, { dateTime: T0 + HOUR });
    await rig.driver.execute(FN.sendTlv, { tlv: encodeTlv([{ tag: 1031, value: 500 }], '1.2') });
    assert.is((await rig.driver.execute(FN.formReceipt, { dateTime: T0 + HOUR, operationType: 1, total: 600 })).value.receiptNumber, 2);
  } finally {
    await rig.close();
  }
});

test('strictTotals knob (off by default, not in the spec): payments or items that miss the 16h total: 09h', async () => {
  const rig = await registeredRig('1.2', { device: { strictTotals: true } });
  try {
    await rig.driver.execute(FN.startReceipt, { dateTime: rig.at(T0 + HOUR) });
    await rig.driver.execute(FN.sendTlv, { tlv: encodeTlv([1031, 1081, 1215, 1216, 1217].map((tag) => ({ tag, value: tag === 1031 ? 500 : 0 })), '1.2') });
    const wrong = await refusal(rig.driver.execute(FN.formReceipt, { dateTime: T0 + HOUR, operationType: 1, total: 600 }));
    assert.is(wrong.fnCode, 0x09);
    await rig.driver.execute(FN.cancelDocument, {});
    await assertIntact(rig, 2);
  } finally {
    await rig.close();
  }
});

test('the 30-day OFD block: 14h with the OFD-timeout flag, lifted once the OFD confirms', async () => {
  const rig = await registeredRig();
  try {
    await sell(rig, T0 + HOUR);
    await closeShift(rig.driver, '1.2', rig.at(T0 + 2 * HOUR), cashierTags);
    const later = T0 + 31 * DAY;
    const e = await refusal(rig.driver.execute(FN.startOpenShift, { dateTime: rig.at(later) }));
    assert.is(e.fnCode, 0x14);
    const status = await rig.driver.execute(FN.getStatus, {});
    assert.ok(status.warning, 'bit 7 of the answer is set');
    assert.is(status.value.warnings & 0x08, 0x08, 'warning flag 3: OFD timeout');
    const report = await refusal(rig.driver.execute(FN.startStateReport, { dateTime: later }));
    assert.is(report.fnCode, 0x14, '18h is blocked too (fn-protocol Table 73)');
    await assertIntact(rig, 4);

    // The OFD comes back: confirm every queued document, in order.
    await rig.driver.execute(FN.setTransportState, { connected: 1 });
    let confirmed = 0;
    for (let message = await readOfdMessage(rig.driver); message; message = await readOfdMessage(rig.driver)) {
      const decoded = decodeContainer(message);
      assert.ok(decoded.ok);
      if (!decoded.ok) break;
      const receipt = encodeConfirmation({ fnNumber: decoded.container.fnNumber, fdNumber: decoded.container.fdNumber, ofdInn: OFD_INN, dateTime: later, ofdCode: 0, operatorKey: TEST_OPERATOR_KEY });
      const answer = await rig.driver.execute(FN.passOfdReceipt, { receipt });
      assert.is(answer.value.ofdCode, 0);
      confirmed++;
    }
    assert.is(confirmed, 4, 'registration, open shift, receipt, close shift');
    const opened = await openShift(rig.driver, '1.2', later, cashierTags);
    assert.is(opened.shiftNumber, 2);
    assert.is((await rig.driver.execute(FN.getStatus, {})).value.warnings & 0x08, 0);
  } finally {
    await rig.close();
  }
});

test.run();
