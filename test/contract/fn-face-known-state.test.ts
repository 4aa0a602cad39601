/**
 * What the face knows of the FN without asking (FnFace.statusBeforeForming and
 * shiftBeforeForming): after a receipt it formed itself, 30h and 10h are carried over that
 * receipt instead of asked again, and they must then be exactly what the FN would answer.
 * Anything the face does not model — a refused or unanswered command, any other document,
 * a cancelled one — makes it ask the FN again.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FN } from '../../drivers/fn/fn-commands.ts';
import { FnError } from '../../drivers/fn/fn-error.ts';
import type { FormingStatus } from '../../drivers/fn/fn-face.ts';
import { buildReceipt } from '../../firmware/fiscal/receipt-builder.ts';
import { cashierTags, sellCashAndCard } from '../helpers/fiscal-fixtures.ts';
import { T0, type FnRig } from '../helpers/fn-rig.ts';
import { registeredRig, watchedRig as watched } from '../helpers/fn-session.ts';
import { autoStep } from '../helpers/poll.ts';
import { seededRandom } from '../helpers/seeded-random.ts';

const Known = suite('FnFace: 30h and 10h carried over its own receipts');

/** The FN's own answers, narrowed to what the face vouches for (FormingStatus). */
async function asked(rig: FnRig) {
  const { phase, document, shiftOpen, lastDocumentTime, fnNumber, lastFd } = (await rig.driver.execute(FN.getStatus, {})).value;
  const status = { phase, document, shiftOpen, lastDocumentTime, fnNumber, lastFd };
  const shift = (await rig.driver.execute(FN.getShiftParams, {})).value;
  return { status, shift };
}

/** The FnError a command ended with (the test fails if it succeeded). */
async function refusal(promise: Promise<unknown>): Promise<FnError> {
  const e = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  assert.instance(e, FnError, 'the FN refused');
  return e as FnError;
}

/** Only the FormingStatus fields (an answer asked of the FN carries more). */
function forming(s: FormingStatus): FormingStatus {
  const { phase, document, shiftOpen, lastDocumentTime, fnNumber, lastFd } = s;
  return { phase, document, shiftOpen, lastDocumentTime, fnNumber, lastFd };
}

function sell(rig: FnRig, at: number) {
  return rig.fn.formReceipt('1.2', rig.at(at), buildReceipt(sellCashAndCard, '1.2'));
}

Known('after its own receipt the face answers without asking, and answers what the FN says', async () => {
  const { rig, sent } = await watched();
  try {
    await rig.fn.statusBeforeForming();
    await rig.fn.shiftBeforeForming();
    assert.equal(sent(), [FN.getStatus.code, FN.getShiftParams.code], 'nothing known yet: both are asked');
    // 45 s past the minute: the FN keeps the document's time to the minute.
    const receipt = await sell(rig, T0 + 3600 + 45);
    sent();
    const known = { status: forming(await rig.fn.statusBeforeForming()), shift: await rig.fn.shiftBeforeForming() };
    assert.equal(sent(), [], 'no 30h, no 10h');
    assert.is(known.status.lastFd, receipt.fd);
    assert.is(known.status.lastDocumentTime, T0 + 3600);
    assert.is(known.shift.receiptNumber, receipt.receiptNumber);
    assert.equal(known, await asked(rig), 'exactly what the FN answers');
    // Two receipts in a row: still carried, still true.
    const second = await sell(rig, T0 + 7200);
    sent();
    const again = { status: forming(await rig.fn.statusBeforeForming()), shift: await rig.fn.shiftBeforeForming() };
    assert.equal(sent(), []);
    assert.is(again.status.lastFd, second.fd);
    assert.equal(again, await asked(rig));
  } finally {
    await rig.close();
  }
});

Known('a refused command since: the face asks again', async () => {
  const { rig, sent } = await watched();
  try {
    await rig.fn.statusBeforeForming();
    await rig.fn.shiftBeforeForming();
    await sell(rig, T0 + 3600);
    // No document 999 in the archive: the FN refuses 40h.
    await refusal(rig.fn.findDocument(999, '1.2'));
    sent();
    await rig.fn.statusBeforeForming();
    await rig.fn.shiftBeforeForming();
    assert.equal(sent(), [FN.getStatus.code, FN.getShiftParams.code]);
  } finally {
    await rig.close();
  }
});

Known('a receipt whose forming was refused carries nothing over', async () => {
  const { rig, sent } = await watched();
  try {
    await rig.fn.statusBeforeForming();
    await rig.fn.shiftBeforeForming();
    await sell(rig, T0 + 3600);
    // Dated before the FN's last document: 07h, nothing formed.
    assert.is((await refusal(sell(rig, T0 + 60))).fnCode, 0x07);
    sent();
    const status = forming(await rig.fn.statusBeforeForming());
    assert.equal(sent(), [FN.getStatus.code], 'asked again');
    assert.equal(status, (await asked(rig)).status);
  } finally {
    await rig.close();
  }
});

Known('any other document, or a cancelled one, since: the face asks again', async () => {
  const { rig, sent } = await watched();
  try {
    await rig.fn.statusBeforeForming();
    await rig.fn.shiftBeforeForming();
    await sell(rig, T0 + 3600);
    await rig.fn.closeShift('1.2', rig.at(T0 + 3700), cashierTags);
    sent();
    const afterClose = { status: await rig.fn.statusBeforeForming(), shift: await rig.fn.shiftBeforeForming() };
    assert.equal(sent(), [FN.getStatus.code, FN.getShiftParams.code], 'a shift report: asked again');
    assert.is(afterClose.shift.shiftOpen, 0);

    await rig.fn.openShift('1.2', rig.at(T0 + 3800), cashierTags);
    await rig.fn.statusBeforeForming();
    await rig.fn.shiftBeforeForming();
    await sell(rig, T0 + 3900);
    await rig.fn.cancelDocument();
    sent();
    await rig.fn.statusBeforeForming();
    assert.equal(sent(), [FN.getStatus.code], 'a cancel: asked again');
  } finally {
    await rig.close();
  }
});

Known('a 10h sent before a shift report began does not outlive it', async () => {
  const { rig } = await watched();
  try {
    await rig.fn.closeShift('1.2', rig.at(T0 + 3600), cashierTags);
    // Health asks for the shift while the pipeline opens one: the 10h goes first and answers
    // "closed" while the opening is already under way.
    const asking = rig.fn.shift();
    const opening = rig.fn.openShift('1.2', rig.at(T0 + 3700), cashierTags);
    assert.is((await asking).shiftOpen, 0);
    await opening;
    assert.is((await rig.fn.shiftBeforeForming()).shiftOpen, 1, 'the shift the FN has open now');
    assert.equal(forming(await rig.fn.statusBeforeForming()), (await asked(rig)).status);
  } finally {
    await rig.close();
  }
});

Known('fuzzed: 300 steps of receipts among unawaited 30h/10h reads, refusals, cancels, shift reports, a clock stepped back, corrupted and dropped answers', async () => {
  const random = seededRandom('fn-face-known-state');
  const rig = await registeredRig('1.2');
  const stop = autoStep(rig.clock, 50);
  let at = T0 + 3600;
  const background: Promise<unknown>[] = [];
  let formed = 0;
  let carried = 0;
  try {
    for (let step = 0; step < 300; step++) {
      at += random.between(0, 130);
      const dice = random.next();
      // Health and the console read at any moment, unawaited.
      for (let k = random.between(0, 3); k > 0; k--) background.push((random.next() < 0.5 ? rig.fn.status() : rig.fn.shift()).catch(() => undefined));
      if (random.next() < 0.1) rig.emulator.faults.corruptNext = 1;
      else if (random.next() < 0.05) rig.emulator.faults.dropNext = 1;
      if (dice < 0.6) {
        await rig.fn.statusBeforeForming();
        await rig.fn.shiftBeforeForming();
        const forming_ = rig.fn.formReceipt('1.2', rig.at(at), buildReceipt(sellCashAndCard, '1.2')).catch((e: unknown) => e);
        for (let k = random.between(0, 3); k > 0; k--) background.push((random.next() < 0.5 ? rig.fn.status() : rig.fn.shift()).catch(() => undefined));
        if (!((await forming_) instanceof Error)) formed++;
      } else if (dice < 0.7) {
        await rig.fn.findDocument(99_999, '1.2').catch(() => undefined);
      } else if (dice < 0.75) {
        await rig.fn.cancelDocument().catch(() => undefined);
      } else if (dice < 0.8) {
        const shift = await rig.fn.shift();
        if (shift.shiftOpen) await rig.fn.closeShift('1.2', rig.at(at), cashierTags).catch(() => undefined);
        else await rig.fn.openShift('1.2', rig.at(at), cashierTags).catch(() => undefined);
      } else if (dice < 0.85) {
        // A clock that stepped back: the FN refuses 07h.
        await rig.fn.formReceipt('1.2', rig.at(at - 7200), buildReceipt(sellCashAndCard, '1.2')).catch(() => undefined);
      }
      await Promise.all(background.splice(0));
      const before = rig.driver.counters.commands;
      const known = { status: forming(await rig.fn.statusBeforeForming()), shift: await rig.fn.shiftBeforeForming() };
      if (rig.driver.counters.commands === before) carried++;
      const truth = await asked(rig);
      assert.equal(known.status, truth.status, `30h at step ${step} (seed ${random.seed})`);
      assert.equal(known.shift, truth.shift, `10h at step ${step} (seed ${random.seed})`);
      if (!truth.status.shiftOpen) await rig.fn.openShift('1.2', rig.at((at += 60)), cashierTags);
    }
    // The fuzz must exercise the carrying: most receipts formed, most checks answered without asking.
    assert.ok(formed > 100 && carried > 50, `formed ${formed}, carried ${carried}`);
  } finally {
    stop();
    await rig.close();
  }
});

Known.run();
