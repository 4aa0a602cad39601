/**
 * The FN side of the composition root: the FN the config names — the emulator in this
 * process (demo) or a real one on a serial line — its driver and its domain face. In demo
 * mode (`registration.autoRegister`) an unregistered FN is registered at start; a real
 * register is registered by its technician.
 */
import { DEFAULT_FN_DRIVER_OPTIONS, FnDriver } from '../../drivers/fn/fn-driver.ts';
import { FnFace } from '../../drivers/fn/fn-face.ts';
import { PHASE } from '../../drivers/fn/fn-status-flags.ts';
import type { BytePort } from '../../drivers/port.ts';
import { openSerialPort } from '../../drivers/serial-port.ts';
import type { Clock } from '../core/clock.ts';
import type { Log } from '../core/log.ts';
import { made, type Service } from '../core/service.ts';
import type { DeviceConfig } from '../config/device-config.ts';
import { personTags } from '../fiscal/common-tags.ts';
import type { Cashier } from '../fiscal/receipt.ts';
import type { EmulatedFn } from '../../drivers/fn/emulator/emulated-fn.ts';
import type { DeviceState } from '../state/device-state.ts';
import { registrationReport } from './registration-report.ts';

export interface FnWiringDeps {
  readonly clock: Clock;
  readonly log: Log;
  readonly random: () => number;
  readonly state: () => DeviceState;
  readonly cashier: () => Cashier;
  /** Register-local seconds now. */
  readonly now: () => number;
}

export class FnWing implements Service {
  readonly name = 'fn';
  private driver: FnDriver | undefined;
  private face: FnFace | undefined;
  private readonly stops: (() => Promise<void> | void)[] = [];
  /** The FN's number, read at start. */
  fnNumber = '';
  /** The in-process FN emulator (demo, tests), which can be replaced (issue 12 §3); undefined with a real FN. */
  emulated: EmulatedFn | undefined;

  constructor(
    private readonly config: DeviceConfig,
    private readonly deps: FnWiringDeps,
  ) {}

  get fn(): FnFace {
    return made(this.face, 'the FN');
  }

  async start(): Promise<void> {
    const { config, deps } = this;
    const { clock, log } = deps;
    let port: BytePort;
    if (config.fn.kind === 'emulator') {
      // Loaded only when the config asks for it (issue 9 §5: a register that runs on real devices
      // never initialises the emulators' modules, in the bundle as under tsx).
      const { startEmulatedFn } = await import('../../drivers/fn/emulator/emulated-fn.ts');
      const emulated = startEmulatedFn({ dataDir: config.dataDir, ...config.fn }, { clock, log, random: deps.random });
      this.stops.push(() => emulated.stop());
      this.emulated = emulated;
      port = emulated.port;
    } else {
      // No drain per write: the driver's answer timer runs from before the write (serial-port.ts).
      port = await openSerialPort({ path: config.fn.path, baudRate: config.fn.baudRate, role: 'the FN (fn.path)', drain: false });
    }
    this.stops.push(() => port.close());
    const fn = config.fn;
    const driver = new FnDriver({ port, clock, log }, fn.kind === 'serial' ? { timeoutMs: fn.timeoutMs, longTimeoutMs: fn.longTimeoutMs, enqRetries: fn.enqRetries } : DEFAULT_FN_DRIVER_OPTIONS);
    driver.start();
    this.stops.push(() => driver.stop());
    this.driver = driver;
    this.face = new FnFace(driver);
    await this.registerInDemo(this.face);
  }

  private async registerInDemo(fn: FnFace): Promise<void> {
    const { config, deps } = this;
    const status = await fn.status();
    this.fnNumber = status.fnNumber;
    if (status.phase !== PHASE.readyForRegistration) return;
    if (!config.registration.autoRegister) return deps.log.warn('the FN is not registered: jobs will fail with fix_device until it is');
    const now = deps.now();
    const r = await fn.register(registrationReport(config.registration, now, personTags(deps.cashier())));
    await deps.state().update((d) => void (d.registration = { fd: r.fd, fpd: r.fpd, at: now, fnNumber: status.fnNumber, ffd: config.registration.ffd }));
    deps.log.info(`registered the FN ${status.fnNumber} (FFD ${config.registration.ffd}): FD ${r.fd}, FPD ${r.fpd}`);
  }

  async stop(): Promise<void> {
    for (const s of this.stops.splice(0).reverse()) await s();
  }

  describe(): Record<string, unknown> {
    return this.driver?.describe() ?? { started: false };
  }

  /** The driver's counters (CRC errors, ENQs, timeouts…): the status topic's links. */
  counters(): Record<string, unknown> {
    return { ...(this.driver?.counters ?? {}) };
  }
}
