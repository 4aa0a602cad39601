/** Shift rules (issue 3 §5): opened before the first receipt, closed and reopened before 24 h. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FN } from '../../drivers/fn/fn-commands.ts';
import { registerFn } from '../../drivers/fn/fn-documents.ts';
import { ShiftKeeper } from '../../firmware/pipeline/shift-keeper.ts';
import { cashierTags, registration } from '../helpers/fiscal-fixtures.ts';
import { fnRig, T0, testLog, type FnRig } from '../helpers/fn-rig.ts';

const HOUR = 3600;

function keeper(rig: FnRig): { shifts: ShiftKeeper; remembered: () => { number: number; openedAt: number } | undefined } {
  let memory: { number: number; openedAt: number } | undefined;
  const shifts = new ShiftKeeper(
    { fn: rig.fn, log: testLog(), recall: () => memory, remember: async (s) => void (memory = s) },
    { ffd: '1.2', maxOpenMinutes: 1430 },
  );
  return { shifts, remembered: () => memory };
}

test('the first receipt opens a shift; a young shift is kept', async () => {
  const rig = fnRig({ device: { checkTimer: false } });
  try {
    await registerFn(rig.driver, registration('1.2', rig.at(T0)));
    const { shifts, remembered } = keeper(rig);
    assert.is(await shifts.ensureOpen(rig.at(T0 + 60), cashierTags), 1);
    assert.equal(remembered(), { number: 1, openedAt: T0 + 60 });
    assert.is(await shifts.ensureOpen(rig.at(T0 + 10 * HOUR), cashierTags), 1);
    assert.is((await rig.driver.execute(FN.getStatus, {})).value.lastFd, 2, 'no new document for a young shift');
  } finally {
    await rig.close();
  }
});

test('a shift open 23 h 50 min is closed and a new one opened before the next receipt; isDue says so', async () => {
  const rig = fnRig({ device: { checkTimer: false } });
  try {
    await registerFn(rig.driver, registration('1.2', rig.at(T0)));
    const { shifts, remembered } = keeper(rig);
    await shifts.ensureOpen(rig.at(T0 + 60), cashierTags);
    const late = T0 + 60 + 1430 * 60;
    assert.ok(await shifts.isDue(late));
    assert.not.ok(await shifts.isDue(late - 60));
    assert.is(await shifts.ensureOpen(rig.at(late), cashierTags), 2);
    assert.equal(remembered(), { number: 2, openedAt: late });
    const status = (await rig.driver.execute(FN.getStatus, {})).value;
    assert.is(status.lastFd, 4, 'close-shift report then open-shift report');
  } finally {
    await rig.close();
  }
});

test('close() closes the shift and forgets it; current() reports it closed', async () => {
  const rig = fnRig({ device: { checkTimer: false } });
  try {
    await registerFn(rig.driver, registration('1.2', rig.at(T0)));
    const { shifts, remembered } = keeper(rig);
    await shifts.ensureOpen(rig.at(T0 + 60), cashierTags);
    const closed = await shifts.close(rig.at(T0 + 2 * HOUR), cashierTags);
    assert.is(closed.shiftNumber, 1);
    assert.is(remembered(), undefined);
    const current = await shifts.current();
    assert.equal({ open: current.open, number: current.number }, { open: false, number: 1 });
  } finally {
    await rig.close();
  }
});

test.run();
