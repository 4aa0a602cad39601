/**
 * The register's durable memory as a service (the first one started: it makes the data
 * directory): the journal of jobs (folded into the job ledger at start, closed at stop) and
 * the small device state (lowdb).
 *
 * Boot reads the ledger's index file (ledger-index-file.ts) and replays only the journal
 * after it; without a valid one it folds the whole journal. The index file is written again
 * at stop, after each compaction (schedule/schedule-wiring.ts), and whenever
 * INDEX_REFRESH_RECORDS more records were appended since the last one.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Service } from '../core/service.ts';
import { made } from '../core/service.ts';
import type { Log } from '../core/log.ts';
import type { KassaError } from '../core/kassa-error.ts';
import type { DeviceConfig } from '../config/device-config.ts';
import { Journal } from '../journal/journal.ts';
import type { RecordPlace } from '../journal/segment-files.ts';
import { DeviceState } from '../state/device-state.ts';
import { JobLedger, type LedgerRecord } from './job-ledger.ts';
import { loadLedgerIndex, saveLedgerIndex } from './ledger-index-file.ts';

/**
 * The index file is written again once this many ledger records were appended after it, so a
 * power cut leaves the next boot at most this many to replay (plus those appended while it is
 * written) however long ago the last compaction ran: about 500 receipts, boot to ready
 * ≤ 0.5 s with 100 000 journaled jobs (issue 9 §5; test/bench/rss-probe.ts leaves this tail).
 * Writing it costs a few tens of milliseconds with 100 000 jobs.
 */
export const INDEX_REFRESH_RECORDS = 1500;

export class LedgerWing implements Service {
  readonly name = 'journal';
  readonly journal: Journal<LedgerRecord>;
  readonly ledger: JobLedger;
  private deviceState: DeviceState | undefined;
  private readonly indexPath: string;
  private boot: { fromIndex: boolean; replayed: number; ms: number } | undefined;
  /** Ledger records appended since the index file was last written. */
  private sinceIndex = 0;
  /** Index writes, one after another (a compaction's and a refresh's never overlap). */
  private indexWrites: Promise<void> = Promise.resolve();
  private indexSaves = 0;

  constructor(
    private readonly config: DeviceConfig,
    /** `onFailure`: the journal refuses appends from now on (journal.ts JournalDeps). */
    private readonly deps: { readonly log: Log; readonly onFailure?: (failure: KassaError) => void },
  ) {
    this.journal = new Journal<LedgerRecord>({ log: deps.log, ...(deps.onFailure ? { onFailure: deps.onFailure } : {}) }, { dir: join(config.dataDir, 'journal'), segmentBytes: config.journal.segmentBytes });
    this.ledger = new JobLedger({ append: (r) => this.append(r), read: (locate) => this.journal.read(locate) });
    this.indexPath = join(config.dataDir, 'ledger-index.bin');
  }

  get state(): DeviceState {
    return made(this.deviceState, 'the device state');
  }

  async start(): Promise<void> {
    const t0 = performance.now();
    mkdirSync(this.config.dataDir, { recursive: true });
    const saved = await loadLedgerIndex(this.indexPath, this.journal.dirPath);
    if (saved) this.ledger.restore(saved);
    let replayed = 0;
    const { droppedBytes } = await this.journal.open((r, place) => {
      replayed++;
      this.ledger.replay(r, place);
    }, saved?.last);
    if (droppedBytes > 0) this.deps.log.warn(`journal: dropped a torn tail of ${droppedBytes} bytes`);
    this.boot = { fromIndex: saved !== undefined, replayed, ms: Math.round(performance.now() - t0) };
    this.deps.log.info(`ledger: ${this.ledger.size} jobs (${saved ? 'index file' : 'whole journal folded'}, ${replayed} records replayed)`);
    this.deviceState = await DeviceState.open(join(this.config.dataDir, 'device-state.json'));
  }

  /** Writes the index file for the next boot (after a compaction, every INDEX_REFRESH_RECORDS records, and at stop). */
  saveIndex(): Promise<void> {
    const write = async (): Promise<void> => {
      this.sinceIndex = 0;
      await saveLedgerIndex(this.indexPath, this.journal.dirPath, this.ledger.view, this.journal.segmentSizes());
      this.indexSaves++;
    };
    // Never left rejected: one failed write is logged and does not stop the ones after it.
    this.indexWrites = this.indexWrites.then(write).catch((e: unknown) => this.deps.log.warn(`ledger index file not written: ${String(e)}`));
    return this.indexWrites;
  }

  async stop(): Promise<void> {
    await this.journal.close();
    if (this.boot) await this.saveIndex();
  }

  describe(): Record<string, unknown> {
    return { ...this.journal.describe(), ...(this.boot ? { boot: this.boot } : {}), indexSaves: this.indexSaves, recordsSinceIndex: this.sinceIndex };
  }

  private async append(record: LedgerRecord): Promise<RecordPlace> {
    const place = await this.journal.append(record);
    // Only once started (the boot's own replay appends nothing) and never twice queued.
    if (++this.sinceIndex === INDEX_REFRESH_RECORDS && this.boot) void this.saveIndex();
    return place;
  }
}
