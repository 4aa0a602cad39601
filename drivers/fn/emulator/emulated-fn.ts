/**
 * The FN emulator inside the register (demo, tests), with the technician's FN replacement
 * (issue 12 §3): `swap` takes the old FN out — its archive stays on disk as
 * fn-emulator-<number>.bin, like a removed FN kept for five years — and puts in a fresh one
 * (new number, phase 1, empty archive) on the same line.
 */
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { FnDevice } from './fn-device.ts';
import { FnEmulator } from './fn-emulator.ts';
import { fileStateStore } from './fn-state-store.ts';
import { memoryPortPair } from '../../memory-port.ts';
import { TEST_OPERATOR_KEY } from '../../ofd/operator-sign.ts';
import type { BytePort } from '../../port.ts';
import type { Clock } from '../../../firmware/core/clock.ts';
import type { Log } from '../../../firmware/core/log.ts';

export interface EmulatedFnOptions {
  readonly dataDir: string;
  readonly fnNumber: string;
  readonly secret: string;
  readonly checkTimer: boolean;
}

export interface EmulatedFn {
  /** The register's side of the line. */
  readonly port: BytePort;
  readonly fnNumber: string;
  /** Replaces the FN by a new one numbered `fnNumber`; the old archive is kept beside. */
  swap(fnNumber: string): void;
  stop(): void;
}

export function startEmulatedFn(o: EmulatedFnOptions, deps: { readonly clock: Clock; readonly log: Log; readonly random: () => number }): EmulatedFn {
  const [registerSide, deviceSide] = memoryPortPair('fn');
  const path = join(o.dataDir, 'fn-emulator.bin');
  const insert = (fnNumber: string): { emulator: FnEmulator; close: () => void; fnNumber: string } => {
    const store = fileStateStore(path);
    const device = new FnDevice({ store, clock: deps.clock, log: deps.log }, { fnNumber, secret: o.secret, operatorKey: TEST_OPERATOR_KEY, checkTimer: o.checkTimer });
    device.boot();
    const emulator = new FnEmulator({ port: deviceSide, device, clock: deps.clock, log: deps.log, random: deps.random });
    emulator.start();
    return { emulator, close: () => (emulator.stop(), store.close()), fnNumber: device.snapshot.state.fnNumber };
  };
  let current = insert(o.fnNumber);
  return {
    port: registerSide,
    get fnNumber() {
      return current.fnNumber;
    },
    swap(fnNumber) {
      if (!/^\d{16}$/.test(fnNumber)) throw new TypeError(`an FN number is 16 digits, not "${fnNumber}"`);
      const old = current.fnNumber;
      if (fnNumber === old) throw new TypeError(`FN ${fnNumber} is the one already in`);
      current.close();
      const kept = join(o.dataDir, `fn-emulator-${old}.bin`);
      if (existsSync(kept)) throw new TypeError(`an archive of FN ${old} is already kept at ${kept}`);
      renameSync(path, kept);
      current = insert(fnNumber);
      deps.log.child('fn-emulator').info(`FN ${old} replaced by ${fnNumber}; the old archive is kept in ${kept}`);
    },
    stop: () => current.close(),
  };
}
