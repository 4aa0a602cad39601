/**
 * The register's schedules as a service: the daily shift close at the configured time, the
 * minute check (a shift near 24 h is closed; the status is published), the OFD backlog
 * alarm (issue 5 §4) and the journal's compaction (issue 3 §3).
 */
import type { FnFace } from '../../drivers/fn/fn-face.ts';
import type { Clock } from '../core/clock.ts';
import type { LocalTime } from '../core/local-time.ts';
import type { Log } from '../core/log.ts';
import type { Service } from '../core/service.ts';
import type { DeviceConfig } from '../config/device-config.ts';
import type { JobLedger, LedgerRecord } from '../jobs/job-ledger.ts';
import { ledgerCompaction } from '../jobs/ledger-compaction.ts';
import type { Journal } from '../journal/journal.ts';
import { ofdHealth, type OfdHealthLevel } from '../ofd/ofd-health.ts';
import type { PipelineWing } from '../pipeline/pipeline-wiring.ts';
import type { DeviceState } from '../state/device-state.ts';
import { dailyAt, every, type Schedule } from './schedules.ts';

export interface ScheduleWiringDeps {
  readonly fn: FnFace;
  readonly pipeline: PipelineWing;
  /** Publishes the retained status now (status/status-wiring.ts). */
  readonly publishStatus: () => Promise<void>;
  readonly journal: Journal<LedgerRecord>;
  readonly ledger: JobLedger;
  /** Writes the ledger's index file (jobs/ledger-index-file.ts), after a compaction. */
  readonly saveIndex: () => Promise<void>;
  readonly state: DeviceState;
  readonly clock: Clock;
  readonly localTime: LocalTime;
  readonly log: Log;
  /** Register-local seconds now. */
  readonly now: () => number;
}

const MINUTE = 60_000;
/** Retention and compaction run this often, on the injected clock (a stepped one in tests). */
export const RETENTION_MS = 10 * MINUTE;

export class ScheduleWing implements Service {
  readonly name = 'schedules';
  private readonly running: Schedule[] = [];
  private backlogLevel: OfdHealthLevel = 'ok';

  constructor(
    private readonly config: DeviceConfig,
    private readonly deps: ScheduleWiringDeps,
  ) {}

  start(): void {
    const { config, deps } = this;
    const { pipeline, log, now, clock } = deps;
    const settings = deps.state.data.settings;
    const closeAt = settings.closeAt !== undefined ? settings.closeAt : config.shift.closeAt;
    if (closeAt) this.running.push(dailyAt(clock, deps.localTime, closeAt, () => pipeline.closeShiftIfOpen(now), log));
    this.running.push(
      every(clock, MINUTE, async () => {
        if (await pipeline.shifts.isDue(now())) await pipeline.closeShiftIfOpen(now);
        await deps.publishStatus();
      }, log),
      every(clock, MINUTE, () => this.backlogAlarm(), log),
      every(clock, RETENTION_MS, () => this.compact(), log),
    );
  }

  async stop(): Promise<void> {
    for (const s of this.running.splice(0)) s.stop();
  }

  describe(): Record<string, unknown> {
    return { closeAt: this.deps.state.data.settings.closeAt ?? this.config.shift.closeAt ?? null, tasks: this.running.length, ofdBacklog: this.backlogLevel };
  }

  /** Escalation of the OFD backlog: logged when the level changes, and every check while critical. */
  private async backlogAlarm(): Promise<void> {
    const h = await ofdHealth(this.deps.fn, this.deps.now());
    if (h.level === this.backlogLevel && h.level !== 'critical' && h.level !== 'blocked') return;
    const text = `OFD backlog: ${h.unsent} unsent, oldest FD ${h.oldest_fd ?? '-'} from ${h.oldest_at ?? '-'} (${h.days_left ?? 30} days before the FN blocks)`;
    const log = this.deps.log;
    if (h.level === 'ok' || h.level === 'notice') log.info(text);
    else if (h.level === 'warning') log.warn(text);
    else log.error(text);
    this.backlogLevel = h.level;
  }

  /**
   * Retention while running: finished jobs past `journal.keepDays` leave the ledger's memory
   * at once, and the journal on disk once compaction runs (which keeps its replay short).
   */
  private async compact(): Promise<void> {
    const { journal, ledger, clock, log } = this.deps;
    const keepMs = this.config.journal.keepDays * 86400_000;
    const forgotten = ledger.forgetExpired(clock.now(), keepMs);
    if (forgotten > 0) log.info(`${forgotten} finished job(s) past ${this.config.journal.keepDays} days forgotten`);
    if (journal.stats.segments <= this.config.journal.compactAfterSegments) return;
    const r = await journal.compact(ledgerCompaction(ledger));
    log.info(`journal compacted: ${r.before} → ${r.after} records`);
    await this.deps.saveIndex();
  }
}
