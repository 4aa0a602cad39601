/**
 * Test rig: an FnDriver talking to an FnEmulator over a byte stream, on a stepped clock
 * (ManualClock): the wall time the FN sees moves when the test sets it, and the driver's
 * timeouts and the emulator's delays run out only when the test steps the clock
 * (test/helpers/poll.ts stepUntil/stepThrough).
 * In-process (memoryPortPair) for contract tests; over a socat pty pair with the real
 * serialport binding for integration tests (see pty-pair.ts).
 */
import { ManualClock, type Clock } from '../../firmware/core/clock.ts';
import { createLog, type Log } from '../../firmware/core/log.ts';
import { FnDevice, type FnDeviceOptions } from '../../drivers/fn/emulator/fn-device.ts';
import { FnEmulator, type FnEmulatorFaults } from '../../drivers/fn/emulator/fn-emulator.ts';
import { memoryStateStore, type FnStateStore } from '../../drivers/fn/emulator/fn-state-store.ts';
import { FnDriver, DEFAULT_FN_DRIVER_OPTIONS, type FnDriverOptions } from '../../drivers/fn/fn-driver.ts';
import { FnFace } from '../../drivers/fn/fn-face.ts';
import { memoryPortPair } from '../../drivers/memory-port.ts';
import type { BytePort } from '../../drivers/port.ts';
import { TEST_OPERATOR_KEY } from '../../drivers/ofd/operator-sign.ts';

/** 2026-11-23 10:00 register-local time, as local seconds. */
export const T0 = Date.UTC(2026, 10, 23, 10, 0) / 1000;
export const FN_NUMBER = '9999078900005488';

export function testLog(): Log {
  return createLog({ level: process.env.KASSA_TEST_LOG === 'debug' ? 'debug' : 'error', write: (l) => console.error(l) });
}

export function deviceOptions(overrides: Partial<FnDeviceOptions> = {}): FnDeviceOptions {
  return { fnNumber: FN_NUMBER, secret: 'test-fn-secret', operatorKey: TEST_OPERATOR_KEY, validUntil: T0 + 400 * 86400, ...overrides };
}

/** A clock whose wall time a test sets: ManualClock, or a bench's real-time HandSetClock. */
export type RigClock = Clock & { set(ms: number): void };

export interface FnRig<C extends RigClock = ManualClock> {
  readonly driver: FnDriver;
  /** The FN in domain words over `driver`, as the firmware sees it. */
  readonly fn: FnFace;
  readonly emulator: FnEmulator;
  readonly device: FnDevice;
  readonly store: FnStateStore;
  /** Wall clock of both sides, in ms; `at(localSeconds)` sets it. */
  readonly clock: C;
  at(localSeconds: number): number;
  close(): Promise<void>;
}

export interface RigOptions<C extends RigClock = ManualClock> {
  readonly device?: Partial<FnDeviceOptions>;
  readonly faults?: Partial<FnEmulatorFaults>;
  readonly driver?: Partial<FnDriverOptions>;
  readonly store?: FnStateStore;
  readonly ports?: [BytePort, BytePort];
  /** Default: a ManualClock at T0. */
  readonly clock?: C;
}

export function fnRig<C extends RigClock = ManualClock>(options: RigOptions<C> = {}): FnRig<C> {
  const clock = options.clock ?? (new ManualClock(T0 * 1000) as RigClock as C);
  const log = testLog();
  const [registerSide, fnSide] = options.ports ?? memoryPortPair('fn');
  const store = options.store ?? memoryStateStore();
  const device = new FnDevice({ store, clock, log }, deviceOptions(options.device));
  device.boot();
  let seed = 42;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const emulator = new FnEmulator({ port: fnSide, device, clock, log, random }, options.faults);
  emulator.start();
  const driver = new FnDriver({ port: registerSide, clock, log }, { ...DEFAULT_FN_DRIVER_OPTIONS, timeoutMs: 300, longTimeoutMs: 600, ...options.driver });
  driver.start();
  return {
    driver,
    fn: new FnFace(driver),
    emulator,
    device,
    store,
    clock,
    at(localSeconds) {
      clock.set(localSeconds * 1000);
      return localSeconds;
    },
    async close() {
      await driver.stop();
      emulator.stop();
      await registerSide.close();
      await fnSide.close();
    },
  };
}
