/**
 * The FN's life phases (fn-protocol §3.6): 1 ready for registration → 3 fiscal (03h/A3h) →
 * 7 post-fiscal (05h) → 15 archive only (the OFD's receipt for the close-FN report).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FN } from '../../drivers/fn/fn-commands.ts';
import { FnError } from '../../drivers/fn/fn-error.ts';
import { readArchivedTlv, readOfdMessage } from '../../drivers/fn/fn-procedures.ts';
import { encodeConfirmation } from '../../drivers/ofd/operator-confirmation.ts';
import { decodeContainer } from '../../drivers/ofd/ofd-container.ts';
import { TEST_OPERATOR_KEY } from '../../drivers/ofd/operator-sign.ts';
import { closeShift } from '../../drivers/fn/fn-documents.ts';
import { cashierTags, OFD_INN, RNM } from '../helpers/fiscal-fixtures.ts';
import type { FnRig } from '../helpers/fn-rig.ts';
import { T0 } from '../helpers/fn-rig.ts';
import { registeredRig, sell } from '../helpers/fn-session.ts';

const HOUR = 3600;

async function confirmAll(rig: FnRig, at: number): Promise<number> {
  await rig.driver.execute(FN.setTransportState, { connected: 1 });
  let n = 0;
  for (let m = await readOfdMessage(rig.driver); m; m = await readOfdMessage(rig.driver)) {
    const d = decodeContainer(m);
    if (!d.ok) throw new Error(d.problem);
    await rig.driver.execute(FN.passOfdReceipt, { receipt: encodeConfirmation({ fnNumber: d.container.fnNumber, fdNumber: d.container.fdNumber, ofdInn: OFD_INN, dateTime: at, ofdCode: 0, operatorKey: TEST_OPERATOR_KEY }) });
    n++;
    if ((await rig.driver.execute(FN.getStatus, {})).value.phase === 0x0f) break; // no OFD exchange any more
  }
  return n;
}

async function phase(rig: FnRig): Promise<number> {
  return (await rig.driver.execute(FN.getStatus, {})).value.phase;
}

test('phases 1 → 3 → 7 → 15, and what each phase refuses', async () => {
  const rig = await registeredRig();
  try {
    assert.is(await phase(rig), 0x03);
    await sell(rig, T0 + HOUR);
    await closeShift(rig.driver, '1.2', rig.at(T0 + 2 * HOUR), cashierTags);

    // 04h with documents still unsent to the OFD: 09h (fn-protocol Table 42).
    const unsent = await rig.driver.execute(FN.startCloseFn, {}).catch((e: unknown) => e);
    assert.instance(unsent, FnError);
    assert.is((unsent as FnError).fnCode, 0x09);

    assert.is(await confirmAll(rig, T0 + 2 * HOUR), 4);
    await rig.driver.execute(FN.startCloseFn, {});
    const closed = await rig.driver.execute(FN.closeFn, { dateTime: rig.at(T0 + 3 * HOUR), rnm: RNM });
    assert.is(closed.value.fd, 5);
    assert.is(await phase(rig), 0x07, 'post-fiscal: only sending to the OFD');
    assert.is((await readArchivedTlv(rig.driver, 5)).fdType, 6);

    const receipt = await rig.driver.execute(FN.startReceipt, { dateTime: T0 + 3 * HOUR }).catch((e: unknown) => e);
    assert.instance(receipt, FnError);
    assert.is((receipt as FnError).fnCode, 0x02, 'no documents in phase 7');

    assert.is(await confirmAll(rig, T0 + 3 * HOUR), 1, 'the close-FN report goes to the OFD');
    assert.is(await phase(rig), 0x0f, 'archive only');
    assert.is((await readArchivedTlv(rig.driver, 3)).fdType, 3, 'the archive stays readable');
    const ofd = await rig.driver.execute(FN.getOfdStatus, {}).catch((e: unknown) => e);
    assert.instance(ofd, FnError);
    assert.is((ofd as FnError).fnCode, 0x02, 'no OFD exchange in phase 15');
  } finally {
    await rig.close();
  }
});

test.run();
