/**
 * The OFD side of the composition root: an OFD emulator on loopback (demo) or the real
 * OFD's endpoint, the TCP transport, the durable delivery log and the sender. app.ts starts
 * it after the pipeline, whose queue the sender's FN steps run in.
 */
import { join, resolve } from 'node:path';
import type { FnFace } from '../../drivers/fn/fn-face.ts';
import { OfdTransport, type OfdEndpoint } from '../../drivers/ofd/ofd-transport.ts';
import { TEST_OPERATOR_KEY } from '../../drivers/ofd/operator-sign.ts';
import type { Clock } from '../core/clock.ts';
import type { Log } from '../core/log.ts';
import type { KassaError } from '../core/kassa-error.ts';
import { made, type Service } from '../core/service.ts';
import type { DeviceConfig } from '../config/device-config.ts';
import { Journal } from '../journal/journal.ts';
import { OfdSender, type DeliveryRecord } from './ofd-sender.ts';

export interface OfdWiringDeps {
  readonly fn: FnFace;
  readonly clock: Clock;
  readonly log: Log;
  readonly random: () => number;
  readonly exclusive: <T>(work: () => Promise<T>) => Promise<T>;
  /** The delivery log refuses appends from now on (journal.ts JournalDeps). */
  readonly onFailure?: (failure: KassaError) => void;
}

/** The OFD link as a service: the emulator listens and the delivery log opens at start, the sender runs until stop. */
export class OfdWing implements Service {
  readonly name = 'ofd';
  private instance: OfdSender | undefined;
  private readonly closers: (() => Promise<void>)[] = [];
  endpoint: OfdEndpoint | undefined;

  constructor(
    private readonly config: DeviceConfig,
    private readonly deps: OfdWiringDeps,
  ) {}

  get sender(): OfdSender {
    return made(this.instance, 'the OFD sender');
  }

  async start(): Promise<void> {
    const { config, deps } = this;
    const { clock, log } = deps;
    let endpoint: OfdEndpoint;
    if (config.ofd.kind === 'emulator') {
      // Loaded only when the config asks for it (issue 9 §5: a register that runs on real devices
      // never initialises the emulators' modules, in the bundle as under tsx).
      const { OfdEmulator } = await import('../../drivers/ofd/emulator/ofd-emulator.ts');
      const emulator = new OfdEmulator({ clock, log }, { ofdInn: config.registration.ofdInn, operatorKey: TEST_OPERATOR_KEY, documentsDir: resolve(config.dataDir, config.ofd.documentsDir) });
      endpoint = { host: '127.0.0.1', port: await emulator.listen(config.ofd.port) };
      this.closers.push(() => emulator.close());
      log.info(`OFD emulator on ${endpoint.host}:${endpoint.port}`);
    } else {
      endpoint = { host: config.ofd.host, port: config.ofd.port };
    }
    this.endpoint = endpoint;
    const deliveries = new Journal<DeliveryRecord>({ log, ...(deps.onFailure ? { onFailure: deps.onFailure } : {}) }, { dir: join(config.dataDir, 'ofd-deliveries'), segmentBytes: config.journal.segmentBytes });
    await deliveries.open(() => {});
    this.closers.push(() => deliveries.close());
    const transport = new OfdTransport({ clock, log, endpoint: () => endpoint }, config.ofdLink);
    const link = config.ofdLink;
    this.instance = new OfdSender(
      { fn: deps.fn, transport, clock, log, random: deps.random, exclusive: deps.exclusive, record: async (r) => void (await deliveries.append(r)) },
      {
        pVersion: parseInt(config.registration.ffd === '1.2' ? link.pVersion12 : link.pVersion105, 16),
        backoffMinMs: link.backoffMinMs,
        backoffMaxMs: link.backoffMaxMs,
        idleCheckMs: link.idleCheckMs,
        blockSize: 1024,
      },
    );
    this.instance.start();
  }

  /** Stops the sender, then closes the delivery log and the emulator. */
  async stop(): Promise<void> {
    await this.instance?.stop();
    for (const close of this.closers.splice(0).reverse()) await close();
  }

  describe(): Record<string, unknown> {
    return this.instance?.describe() ?? { started: false };
  }
}
