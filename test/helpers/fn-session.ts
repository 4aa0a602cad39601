/** Shortcuts for tests that need a registered FN with an open shift. */
import type { FfdVersion } from '../../firmware/fiscal/ffd-version.ts';
import { buildReceipt } from '../../firmware/fiscal/receipt-builder.ts';
import type { Receipt } from '../../firmware/fiscal/receipt.ts';
import { formReceipt, openShift, registerFn, type ReceiptResult } from '../../drivers/fn/fn-documents.ts';
import { cashierTags, registration, sellCashAndCard } from './fiscal-fixtures.ts';
import type { ManualClock } from '../../firmware/core/clock.ts';
import { fnRig, T0, type FnRig, type RigClock, type RigOptions } from './fn-rig.ts';
import { memoryPortPair } from '../../drivers/memory-port.ts';
import type { BytePort } from '../../drivers/port.ts';

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

export interface WatchedRig {
  readonly rig: FnRig;
  /** Command codes the register wrote to the FN since the last call, in order. */
  sent(): number[];
}

/** A registered rig whose register side notes the command code of every frame it writes (fn-protocol §3.2: 04h, length, command). */
export async function watchedRig(options: RigOptions = {}): Promise<WatchedRig> {
  const [register, fnSide] = memoryPortPair('fn');
  let codes: number[] = [];
  const noting: BytePort = {
    description: register.description,
    onData: (l) => register.onData(l),
    onClose: (l) => register.onClose(l),
    close: () => register.close(),
    write: (bytes) => {
      if (bytes[0] === 0x04 && bytes.length >= 4) codes.push(bytes[3] ?? -1);
      return register.write(bytes);
    },
  };
  const rig = await registeredRig('1.2', { ...options, ports: [noting, fnSide] });
  codes = []; // registration and the shift's opening
  return {
    rig,
    sent: () => {
      const s = codes;
      codes = [];
      return s;
    },
  };
}
