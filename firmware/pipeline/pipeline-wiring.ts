/**
 * The fiscal pipeline as a service: the shift keeper and the pipeline over the FN, the job
 * ledger and the printer. Its results go out as events, so the wings that listen (the cloud
 * link, the local API) are built after it without forward references. "A document was
 * formed" is the FN face's event (FnFace.formed): shift reports and lifecycle documents too.
 */
import { join } from 'node:path';
import type { FnFace } from '../../drivers/fn/fn-face.ts';
import { Listeners } from '../../drivers/port.ts';
import type { Clock } from '../core/clock.ts';
import type { LocalTime } from '../core/local-time.ts';
import type { Log } from '../core/log.ts';
import type { Service } from '../core/service.ts';
import type { DeviceConfig } from '../config/device-config.ts';
import { personTags } from '../fiscal/common-tags.ts';
import type { Cashier } from '../fiscal/receipt.ts';
import type { JobLedger } from '../jobs/job-ledger.ts';
import type { JobResult } from '../jobs/job-result.ts';
import type { ReceiptPrinter } from '../print/receipt-printer.ts';
import type { DeviceState } from '../state/device-state.ts';
import { FiscalPipeline } from './fiscal-pipeline.ts';
import { PaperMark } from './paper-mark.ts';
import { ShiftKeeper } from './shift-keeper.ts';

export interface PipelineWiringDeps {
  readonly fn: FnFace;
  readonly ledger: JobLedger;
  readonly printer: ReceiptPrinter;
  readonly state: DeviceState;
  readonly clock: Clock;
  readonly localTime: LocalTime;
  readonly log: Log;
  readonly cashier: () => Cashier;
}

export class PipelineWing implements Service {
  readonly name = 'pipeline';
  readonly shifts: ShiftKeeper;
  readonly pipeline: FiscalPipeline;
  /** Every result of every job, as the pipeline publishes it. */
  readonly results = new Listeners<[JobResult]>();

  constructor(
    private readonly config: DeviceConfig,
    private readonly deps: PipelineWiringDeps,
  ) {
    const { fn, ledger, printer, state, clock, localTime, log } = deps;
    this.shifts = new ShiftKeeper(
      {
        fn,
        log,
        recall: () => state.data.shift,
        remember: (s) => state.update((d) => void (s ? (d.shift = s) : delete d.shift)),
        reportFormed: (report) => this.pipeline.printShiftReport(report),
      },
      { ffd: config.registration.ffd, maxOpenMinutes: config.shift.maxOpenMinutes },
    );
    this.pipeline = new FiscalPipeline(
      { fn, ledger, shifts: this.shifts, printer, clock, localTime, log, publish: (r) => this.results.emit(r), paperMark: new PaperMark(join(config.dataDir, 'printing.json')) },
      { deviceId: config.deviceId, registration: config.registration, cashier: deps.cashier, retryDelayMs: 1000, printRetryMs: 2000 },
    );
  }

  /** Reconciles and works the unfinished jobs, then every job submitted. */
  start(): void {
    this.pipeline.start();
  }

  stop(): Promise<void> {
    return this.pipeline.stop();
  }

  /** FN work in turn with the jobs (the OFD sender's steps, the console, schedules). */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.pipeline.exclusive(work);
  }

  /** Closes the open shift for the register's own reasons (schedule, age), in the queue's turn. */
  closeShiftIfOpen(at: () => number): Promise<void> {
    return this.pipeline.exclusive(async () => {
      if ((await this.shifts.current()).open) await this.shifts.closeOnOwn(at(), personTags(this.deps.cashier()));
    });
  }

  describe(): Record<string, unknown> {
    return this.pipeline.describe();
  }
}
