/**
 * The console side of the composition root: the console the config names — on the service
 * UART (`serial`), on a TCP port (`tcp`, demo: `npm run kassa -- console`), or none.
 */
import { createServer, type AddressInfo, type Server } from 'node:net';
import { openSerialPort } from '../../drivers/serial-port.ts';
import { socketPort } from '../../drivers/socket-port.ts';
import type { Listeners } from '../../drivers/port.ts';
import type { ConsoleConfig, DeviceConfig } from '../config/device-config.ts';
import type { Clock } from '../core/clock.ts';
import type { Log } from '../core/log.ts';
import type { Service } from '../core/service.ts';
import type { JobIntake } from '../jobs/job-intake.ts';
import { FINAL_STATUSES, type JobResult } from '../jobs/job-result.ts';
import type { ConsoleServices } from './console-commands.ts';
import { ConsoleSession } from './console-session.ts';
import type { TechnicianPin } from '../security/technician-pin.ts';

import { listenOn } from '../core/listen.ts';
export interface ConsoleHandle {
  /** Where a technician connects: "serial /dev/ttyS1 @115200", "tcp 127.0.0.1:7323", or "none". */
  readonly where: string;
  /** The TCP port (tcp only): the one asked for, or the free one picked for port 0. */
  readonly port?: number;
  stop(): Promise<void>;
}

export async function startConsole(config: ConsoleConfig, deps: { readonly services: ConsoleServices; readonly log: Log; readonly clock: Clock; readonly pin?: TechnicianPin }, greeting: string): Promise<ConsoleHandle> {
  const log = deps.log.child('console');
  switch (config.kind) {
    case 'none':
      return { where: 'none', stop: async () => {} };
    case 'serial': {
      const port = await openSerialPort({ path: config.path, baudRate: config.baudRate, role: 'the debug console (console.path)' });
      const session = new ConsoleSession({ port, services: deps.services, log, clock: deps.clock, ...(deps.pin ? { pin: deps.pin } : {}) }, greeting);
      session.start();
      port.onClose((e) => log.warn(`console line ${config.path} closed${e ? `: ${e.message}` : ''}`));
      return {
        where: port.description,
        stop: async () => {
          session.stop();
          await port.close();
        },
      };
    }
    case 'tcp': {
      const open = new Set<{ session: ConsoleSession; close: () => Promise<void> }>();
      const server: Server = createServer((socket) => {
        const port = socketPort(socket);
        const session = new ConsoleSession({ port, services: deps.services, log, clock: deps.clock, onExit: () => void port.close(), ...(deps.pin ? { pin: deps.pin } : {}) }, greeting);
        const entry = { session, close: () => port.close() };
        open.add(entry);
        port.onClose(() => {
          session.stop();
          open.delete(entry);
        });
        log.debug(() => `console session from ${port.description}`);
        session.start();
      });
      await listenOn(server, { port: config.port, host: config.host, what: 'debug console', whenTaken: 'another register runs here? set console.port' });
      const port = (server.address() as AddressInfo).port;
      return {
        where: `tcp ${config.host}:${port}`,
        port,
        stop: async () => {
          const closing = new Promise<void>((resolve) => server.close(() => resolve()));
          for (const e of [...open]) {
            e.session.stop();
            await e.close();
          }
          await closing;
        },
      };
    }
  }
}

/** How long the debug console waits for a job it submitted before it says "not finished yet". */
const CONSOLE_JOB_WAIT_MS = 30_000;

export interface ConsoleWiringDeps {
  readonly log: Log;
  readonly clock: Clock;
  readonly random: () => number;
  readonly services: Omit<ConsoleServices, 'runJob' | 'config' | 'jobId'>;
  /** The intake of cloud jobs: the console's acting commands go through it too. */
  readonly intake: Pick<JobIntake, 'handle'>;
  /** Every result of every job: the console waits for its own there. */
  readonly results: Listeners<[JobResult]>;
  /** The technician PIN of the acting commands (issue 12 §4), when one is configured. */
  readonly pin?: TechnicianPin;
}

/** The technician's debug console as a service of the composition root. */
export class ConsoleWing implements Service {
  readonly name = 'console';
  private handle: ConsoleHandle | undefined;

  constructor(
    private readonly config: DeviceConfig,
    private readonly deps: ConsoleWiringDeps,
    private readonly greeting: string,
  ) {}

  /** Where a technician connects ("none" before start). */
  get where(): ConsoleHandle {
    return this.handle ?? { where: 'none', stop: async () => {} };
  }

  async start(): Promise<void> {
    const { deps, config } = this;
    const services: ConsoleServices = {
      ...deps.services,
      runJob: (job) => this.runJob(job),
      config: () => maskSecrets(config),
      jobId: (type) => `console-${type}-${deps.clock.now().toString(36)}-${Math.floor(deps.random() * 2 ** 32).toString(36)}`,
    };
    this.handle = await startConsole(config.console, { log: deps.log, clock: deps.clock, services, ...(deps.pin ? { pin: deps.pin } : {}) }, this.greeting);
    if (this.handle.where !== 'none') deps.log.info(`debug console on ${this.handle.where}`);
  }

  async stop(): Promise<void> {
    await this.handle?.stop();
    this.handle = undefined;
  }

  describe(): Record<string, unknown> {
    return { where: this.handle?.where ?? 'none' };
  }

  /** A job from the console, through the same intake as the cloud's: its final result, or undefined after the wait. */
  private runJob(job: Record<string, unknown>): Promise<JobResult | undefined> {
    const { clock, results, intake } = this.deps;
    return new Promise((resolve) => {
      const timer = clock.after(CONSOLE_JOB_WAIT_MS, () => {
        off();
        resolve(undefined);
      });
      const off = results.add((r) => {
        if (r.id !== job['id'] || !FINAL_STATUSES.has(r.status)) return;
        off();
        timer.cancel();
        resolve(r);
      });
      void intake.handle(Buffer.from(JSON.stringify(job)));
    });
  }
}

/**
 * The configuration for the console's eyes, which need no PIN: every secret masked (the FN
 * emulator's secret, the broker and claim passwords, the PIN's hash, the local API's token).
 * URLs carry no credentials: parse-config.ts refuses them there.
 */
function maskSecrets(config: DeviceConfig): Record<string, unknown> {
  const fn = config.fn.kind === 'emulator' ? { ...config.fn, secret: '***' } : config.fn;
  const b = config.mqtt.broker;
  const broker = b.kind === 'external' && b.password !== undefined ? { ...b, password: '***' } : b;
  const security = config.security.technicianPin !== undefined ? { ...config.security, technicianPin: '***' } : config.security;
  const claim = config.claim?.password !== undefined ? { claim: { ...config.claim, password: '***' } } : {};
  const localApi = config.localApi.token !== undefined ? { ...config.localApi, token: '***' } : config.localApi;
  return { ...config, fn, mqtt: { ...config.mqtt, broker }, security, localApi, ...claim };
}
