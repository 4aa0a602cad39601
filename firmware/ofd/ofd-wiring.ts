/**
 * The OFD side of the composition root: an OFD emulator on loopback (demo) or the real
 * OFD's endpoint, the TCP transport, the durable delivery log and the sender. app.ts calls
 * this and starts the sender once the pipeline runs.
 */
import { join } from 'node:path';
import type { FnFace } from '../../drivers/fn/fn-face.ts';
import { OfdEmulator } from '../../drivers/ofd/emulator/ofd-emulator.ts';
import { OfdTransport, type OfdEndpoint } from '../../drivers/ofd/ofd-transport.ts';
import { TEST_OPERATOR_KEY } from '../../drivers/ofd/operator-sign.ts';
import type { Clock } from '../core/clock.ts';
import type { Log } from '../core/log.ts';
import type { DeviceConfig } from '../config/device-config.ts';
import { Journal } from '../journal/journal.ts';
import { OfdSender, type DeliveryRecord } from './ofd-sender.ts';

export interface OfdWiringDeps {
  readonly fn: FnFace;
  readonly clock: Clock;
  readonly log: Log;
  readonly random: () => number;
  readonly exclusive: <T>(work: () => Promise<T>) => Promise<T>;
}

export interface OfdWiring {
  readonly sender: OfdSender;
  readonly endpoint: OfdEndpoint;
  /** Stops the sender, then closes the delivery log and the emulator. */
  stop(): Promise<void>;
}

export async function wireOfd(config: DeviceConfig, deps: OfdWiringDeps): Promise<OfdWiring> {
  const { clock, log } = deps;
  const closers: (() => Promise<void>)[] = [];
  let endpoint: OfdEndpoint;
  if (config.ofd.kind === 'emulator') {
    const emulator = new OfdEmulator({ clock, log }, { ofdInn: config.registration.ofdInn, operatorKey: TEST_OPERATOR_KEY, documentsDir: join(config.dataDir, config.ofd.documentsDir) });
    endpoint = { host: '127.0.0.1', port: await emulator.listen(config.ofd.port) };
    closers.push(() => emulator.close());
    log.info(`OFD emulator on ${endpoint.host}:${endpoint.port}`);
  } else {
    endpoint = { host: config.ofd.host, port: config.ofd.port };
  }
  const deliveries = new Journal<DeliveryRecord>({ log }, { dir: join(config.dataDir, 'ofd-deliveries'), segmentBytes: config.journal.segmentBytes });
  await deliveries.open(() => {});
  closers.push(() => deliveries.close());
  const transport = new OfdTransport({ clock, log, endpoint: () => endpoint }, config.ofdLink);
  const link = config.ofdLink;
  const sender = new OfdSender(
    { fn: deps.fn, transport, clock, log, random: deps.random, exclusive: deps.exclusive, record: (r) => deliveries.append(r) },
    {
      pVersion: parseInt(config.registration.ffd === '1.2' ? link.pVersion12 : link.pVersion105, 16),
      backoffMinMs: link.backoffMinMs,
      backoffMaxMs: link.backoffMaxMs,
      idleCheckMs: link.idleCheckMs,
      blockSize: 1024,
    },
  );
  return {
    sender,
    endpoint,
    async stop() {
      await sender.stop();
      for (const close of closers.reverse()) await close();
    },
  };
}
