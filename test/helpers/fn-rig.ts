/**
 * Test rig: an FnDriver talking to an FnEmulator over a byte stream, with a hand-set clock
 * (real-time timers by default; a ManualClock when the test steps time).
 * In-process (memoryPortPair) for contract tests; over a socat pty pair with the real
 * serialport binding for integration tests (see pty-pair.ts).
 */
import type { Clock, TimerHandle } from '../../firmware/core/clock.ts';
import { createLog, type Log } from '../../firmware/core/log.ts';
import { FnDevice, type FnDeviceOptions } from '../../drivers/fn/emulator/fn-device.ts';
import { FnEmulator, type FnEmulatorFaults } from '../../drivers/fn/emulator/fn-emulator.ts';
import { memoryStateStore, type FnStateStore } from '../../drivers/fn/emulator/fn-state-store.ts';
import { FnDriver, DEFAULT_FN_DRIVER_OPTIONS, type FnDriverOptions } from '../../drivers/fn/fn-driver.ts';
import { FnFace } from '../../drivers/fn/fn-face.ts';
import { memoryPortPair } from '../../drivers/memory-port.ts';
import type { BytePort } from '../../drivers/port.ts';
import { TEST_OPERATOR_KEY } from '../../drivers/ofd/operator-sign.ts';

/**
 * Wall time set by hand, timers on real time: for rigs whose devices answer over a line in
 * real time (the driver's timeouts and ENQs, the emulator's delays, sockets). Tests that
 * step time use ManualClock (firmware/core/clock.ts), whose timers fire only when stepped.
 */
/** A clock whose wall time the test sets: HandSetClock or ManualClock. */
export type RigClock = Clock & { set(ms: number): void; advance(ms: number): void };

export class HandSetClock implements Clock {
  constructor(private nowMs: number) {}
  now(): number {
    return this.nowMs;
  }
  set(ms: number): void {
    this.nowMs = ms;
  }
  advance(ms: number): void {
    this.nowMs += ms;
  }
  after(ms: number, fn: () => void): TimerHandle {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  }
}

/** 2026-11-23 10:00 register-local time, as local seconds. */
export const T0 = Date.UTC(2026, 10, 23, 10, 0) / 1000;
export const FN_NUMBER = '9999078900005488';

export function testLog(): Log {
  return createLog({ level: process.env.KASSA_TEST_LOG === 'debug' ? 'debug' : 'error', write: (l) => console.error(l) });
}

export function deviceOptions(overrides: Partial<FnDeviceOptions> = {}): FnDeviceOptions {
  return { fnNumber: FN_NUMBER, secret: 'test-fn-secret', operatorKey: TEST_OPERATOR_KEY, validUntil: T0 + 400 * 86400, ...overrides };
}

export interface FnRig {
  readonly driver: FnDriver;
  /** The FN in domain words over `driver`, as the firmware sees it. */
  readonly fn: FnFace;
  readonly emulator: FnEmulator;
  readonly device: FnDevice;
  readonly store: FnStateStore;
  /** Wall clock of both sides, in ms; `at(localSeconds)` sets it. */
  readonly clock: RigClock;
  at(localSeconds: number): number;
  close(): Promise<void>;
}

export interface RigOptions {
  readonly device?: Partial<FnDeviceOptions>;
  readonly faults?: Partial<FnEmulatorFaults>;
  readonly driver?: Partial<FnDriverOptions>;
  readonly store?: FnStateStore;
  readonly ports?: [BytePort, BytePort];
  readonly clock?: RigClock;
}

export function fnRig(options: RigOptions = {}): FnRig {
  const clock = options.clock ?? new HandSetClock(T0 * 1000);
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
