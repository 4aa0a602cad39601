/**
 * The register's durable memory as a service (the first one started: it makes the data
 * directory): the journal of jobs (replayed into the job
 * ledger at start, closed at stop) and the small device state (lowdb).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Service } from '../core/service.ts';
import { made } from '../core/service.ts';
import type { Log } from '../core/log.ts';
import type { DeviceConfig } from '../config/device-config.ts';
import { Journal } from '../journal/journal.ts';
import { DeviceState } from '../state/device-state.ts';
import { JobLedger, type LedgerRecord } from './job-ledger.ts';

export class LedgerWing implements Service {
  readonly name = 'journal';
  readonly journal: Journal<LedgerRecord>;
  readonly ledger: JobLedger;
  private deviceState: DeviceState | undefined;

  constructor(
    private readonly config: DeviceConfig,
    private readonly deps: { readonly log: Log },
  ) {
    this.journal = new Journal<LedgerRecord>({ log: deps.log }, { dir: join(config.dataDir, 'journal'), segmentBytes: config.journal.segmentBytes });
    this.ledger = new JobLedger(this.journal);
  }

  get state(): DeviceState {
    return made(this.deviceState, 'the device state');
  }

  async start(): Promise<void> {
    mkdirSync(this.config.dataDir, { recursive: true });
    const { droppedBytes } = await this.journal.open((r) => this.ledger.replay(r));
    if (droppedBytes > 0) this.deps.log.warn(`journal: dropped a torn tail of ${droppedBytes} bytes`);
    this.deviceState = await DeviceState.open(join(this.config.dataDir, 'device-state.json'));
  }

  async stop(): Promise<void> {
    await this.journal.close();
  }

  describe(): Record<string, unknown> {
    return this.journal.describe();
  }
}
