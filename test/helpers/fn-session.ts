/** Shortcuts for tests that need a registered FN with an open shift. */
import type { FfdVersion } from '../../firmware/fiscal/ffd-version.ts';
import { buildReceipt } from '../../firmware/fiscal/receipt-builder.ts';
import type { Receipt } from '../../firmware/fiscal/receipt.ts';
import { formReceipt, openShift, registerFn, type ReceiptResult } from '../../drivers/fn/fn-documents.ts';
import { cashierTags, registration, sellCashAndCard } from './fiscal-fixtures.ts';
import type { ManualClock } from '../../firmware/core/clock.ts';
import { fnRig, T0, type FnRig, type RigClock, type RigOptions } from './fn-rig.ts';

/** A rig whose FN is registered at T0 and has a shift opened at T0 + 60 s. */
export async function registeredRig<C extends RigClock = ManualClock>(ffd: FfdVersion = '1.2', options: RigOptions<C> = {}): Promise<FnRig<C>> {
  const rig = fnRig(options);
  await registerFn(rig.driver, registration(ffd, rig.at(T0)));
  await openShift(rig.driver, ffd, rig.at(T0 + 60), cashierTags);
  return rig;
}

/** Forms a receipt at `at` (register-local seconds), moving the shared clock there. */
export function sell(rig: FnRig<RigClock>, at: number, receipt: Receipt = sellCashAndCard, ffd: FfdVersion = '1.2'): Promise<ReceiptResult> {
  return formReceipt(rig.driver, ffd, rig.at(at), buildReceipt(receipt, ffd));
}
