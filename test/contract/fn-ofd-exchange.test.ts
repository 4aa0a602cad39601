/**
 * The FN emulator's OFD queue (fn-protocol §4.7): messages read out as containers with
 * 22h–25h, confirmed only by a receipt for exactly the document at the head of the queue,
 * with each 20h reason of fn-protocol Table 90 for receipts that do not check out.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FN } from '../../drivers/fn/fn-commands.ts';
import { FnError } from '../../drivers/fn/fn-error.ts';
import { readArchivedTlv, readOfdMessage } from '../../drivers/fn/fn-procedures.ts';
import { confirmationNodes, encodeConfirmation, type ConfirmationInput } from '../../drivers/ofd/operator-confirmation.ts';
import { decodeContainer } from '../../drivers/ofd/ofd-container.ts';
import { TEST_OPERATOR_KEY } from '../../drivers/ofd/operator-sign.ts';
import { decodeTlv } from '../../firmware/fiscal/tlv-codec.ts';
import { OFD_INN } from '../helpers/fiscal-fixtures.ts';
import { FN_NUMBER, T0, type FnRig } from '../helpers/fn-rig.ts';
import { registeredRig, sell } from '../helpers/fn-session.ts';

const HOUR = 3600;

function confirmation(fdNumber: number, overrides: Partial<ConfirmationInput> = {}): ConfirmationInput {
  return { fnNumber: FN_NUMBER, fdNumber, ofdInn: OFD_INN, dateTime: T0 + 2 * HOUR, ofdCode: 0, operatorKey: TEST_OPERATOR_KEY, ...overrides };
}

async function rejection(rig: FnRig, receipt: Uint8Array): Promise<number | undefined> {
  try {
    await rig.driver.execute(FN.passOfdReceipt, { receipt });
  } catch (e) {
    if (e instanceof FnError && e.fnCode === 0x20) return e.reason;
    throw e;
  }
  return undefined;
}

test('20h counts the queue; 22h needs 21h(1); the message is the container of the archived document', async () => {
  const rig = await registeredRig();
  try {
    await sell(rig, T0 + HOUR);
    const status = (await rig.driver.execute(FN.getOfdStatus, {})).value;
    assert.is(status.messageCount, 3);
    assert.is(status.firstFd, 1);
    assert.is(status.status & 0x02, 0x02, 'a message waits');
    assert.is(status.status & 0x01, 0, 'no transport yet');
    try {
      await rig.driver.execute(FN.startMessageRead, {});
      assert.unreachable('22h without 21h(1)');
    } catch (e) {
      assert.instance(e, FnError);
      assert.is((e as FnError).fnCode, 0x11);
    }
    await rig.driver.execute(FN.setTransportState, { connected: 1 });
    const message = await readOfdMessage(rig.driver, 64); // small blocks: several 23h
    assert.ok(message);
    const decoded = decodeContainer(message!);
    assert.ok(decoded.ok);
    if (!decoded.ok) return;
    assert.is(decoded.container.fdNumber, 1);
    assert.is(decoded.container.fdType, 1);
    assert.is(decoded.container.fnNumber, FN_NUMBER);
    const [stlv] = decodeTlv(decoded.container.body.subarray(0, 4 + (decoded.container.body[2]! | (decoded.container.body[3]! << 8))));
    const archived = await readArchivedTlv(rig.driver, 1);
    assert.equal(stlv?.value, decodeTlv(archived.tlv), 'the body is the archived document');
    assert.is(((await rig.driver.execute(FN.getOfdStatus, {})).value.status & 0x04), 0x04, 'waiting for the receipt');
  } finally {
    await rig.close();
  }
});

test('a valid receipt confirms the head of the queue; 41h returns its operator sign', async () => {
  const rig = await registeredRig();
  try {
    await rig.driver.execute(FN.setTransportState, { connected: 1 });
    await readOfdMessage(rig.driver);
    const answer = await rig.driver.execute(FN.passOfdReceipt, { receipt: encodeConfirmation(confirmation(1)) });
    assert.is(answer.value.ofdCode, 0);
    assert.ok(answer.value.message && answer.value.message.length > 0, 'the operator message comes back');
    const status = (await rig.driver.execute(FN.getOfdStatus, {})).value;
    assert.is(status.messageCount, 1);
    assert.is(status.firstFd, 2);
    const receipt = (await rig.driver.execute(FN.getOfdReceipt, { fd: 1 })).value;
    assert.is(receipt.fd, 1);
    assert.is(receipt.operatorSign.length, 18);
    assert.is((await rig.driver.execute(FN.findDocument, { fd: 1 })).value.ofdReceived, 1);
    assert.is((await rig.driver.execute(FN.getUnconfirmedCount, {})).value.count, 1);
  } finally {
    await rig.close();
  }
});

test('receipts that do not check out: 20h with the reason of Table 90; the document stays queued', async () => {
  const rig = await registeredRig();
  try {
    await rig.driver.execute(FN.setTransportState, { connected: 1 });
    await readOfdMessage(rig.driver);
    assert.is(await rejection(rig, encodeConfirmation(confirmation(1, { operatorKey: 'not the shared key' }))), 1, 'bad operator sign');
    const forged = encodeConfirmation(confirmation(1), confirmationNodes(confirmation(1)).map((n) => (n.tag === 1040 ? { tag: 1040, value: 2 } : n)));
    assert.is(await rejection(rig, forged), 3, 'FD number is not the head of the queue');
    assert.is(await rejection(rig, encodeConfirmation(confirmation(1, { fnNumber: '9999078900009999' }))), 4, 'another FN');
    const corrupted = encodeConfirmation(confirmation(1));
    corrupted[40] = (corrupted[40] ?? 0) ^ 0xff;
    assert.is(await rejection(rig, corrupted), 5, 'bad CRC');
    assert.is(await rejection(rig, encodeConfirmation(confirmation(1, { ofdInn: '7841465198' }))), 6, 'another OFD');
    assert.is(await rejection(rig, Uint8Array.of(1, 2, 3)), 2, 'not a container');
    // The OFD answers with a non-zero code: passed on, the document stays queued.
    const refused = await rig.driver.execute(FN.passOfdReceipt, { receipt: encodeConfirmation(confirmation(1, { ofdCode: 14 })) });
    assert.is(refused.value.ofdCode, 14);
    const status = (await rig.driver.execute(FN.getOfdStatus, {})).value;
    assert.is(status.messageCount, 2);
    assert.is(status.firstFd, 1);
  } finally {
    await rig.close();
  }
});

test.run();
