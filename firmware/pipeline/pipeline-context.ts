/**
 * What the pipeline's dispatcher (fiscal-pipeline.ts) and its paths (document-forming.ts,
 * service-jobs.ts) share: their deps and options, the result of a job in the ATOL
 * vocabulary, its fiscal attributes, and the print queue through which every final result
 * passes in job order. A third file, so that dispatcher and paths never import each other
 * (DESIGN.md §2).
 */
import type { FnError } from '../../drivers/fn/fn-error.ts';
import { FnFace } from '../../drivers/fn/fn-face.ts';
import { FN_CODE } from '../../drivers/fn/fn-response-codes.ts';
import { PHASE } from '../../drivers/fn/fn-status-flags.ts';
import type { Clock } from '../core/clock.ts';
import { messageOf } from '../core/kassa-error.ts';
import { atolDateTime, type LocalTime } from '../core/local-time.ts';
import type { Log } from '../core/log.ts';
import type { RegistrationConfig } from '../config/device-config.ts';
import type { Cashier } from '../fiscal/receipt.ts';
import type { Job } from '../jobs/job.ts';
import type { JobLedger, LedgerEntry } from '../jobs/job-ledger.ts';
import { fiscalPayload, RESULT_VERSION, type FiscalAttributes, type JobResult, type ResultError } from '../jobs/job-result.ts';
import type { ReceiptPrinter } from '../print/receipt-printer.ts';
import { reportDetails } from '../print/report-details.ts';
import { refusalMeaning } from './fn-refusals.ts';
import type { PrintQueue } from './print-queue.ts';
import type { PaperMark } from './paper-mark.ts';
import type { ShiftKeeper } from './shift-keeper.ts';

export interface PipelineDeps {
  readonly fn: FnFace;
  readonly ledger: JobLedger;
  readonly shifts: ShiftKeeper;
  readonly printer: ReceiptPrinter;
  readonly clock: Clock;
  readonly localTime: LocalTime;
  readonly log: Log;
  /** Sends a result to the cloud without waiting (result-reporter.ts; the cloud keys on the job id). */
  readonly publish: (result: JobResult) => void;
  /** The document on its way to paper; without it a stop during a print prints an original again. */
  readonly paperMark?: PaperMark;
}

export interface PipelineOptions {
  readonly deviceId: string;
  readonly registration: RegistrationConfig;
  /** The cashier of documents whose job names none (config, or provisioned by the cloud). */
  readonly cashier: () => Cashier;
  /** Wait before retrying a job whose FN did not answer, ms (doubles up to 60 s). */
  readonly retryDelayMs: number;
  /** How often to look again at a printer that cannot print (paper, cover, offline), ms. */
  readonly printRetryMs: number;
}

export type FiscalFields = Omit<FiscalAttributes, 'fnNumber' | 'rnm' | 'ofdInn' | 'fnsSite'>;
type ResultFields = Partial<JobResult> & Pick<JobResult, 'status'>;

export class PipelineContext {
  /** Learned from every 30h answer; part of each result. */
  fnNumber = '';

  constructor(
    readonly deps: PipelineDeps,
    readonly options: PipelineOptions,
    readonly prints: PrintQueue,
    readonly log: Log,
  ) {}

  /** Register-local seconds now. */
  now(): number {
    return this.deps.localTime.toLocalSeconds(this.deps.clock.now());
  }

  /** Checks the FN can form a document now; returns the local time to form it at, or fails the job. */
  async readyToForm(job: Job): Promise<number | undefined> {
    return (await this.ready(job))?.at;
  }

  /** readyToForm, with the FN's last FD from the same 30h answer (fiscal-pipeline.ts reuses it). */
  async ready(job: Job): Promise<{ readonly at: number; readonly lastFd: number } | undefined> {
    const { fn } = this.deps;
    // What 30h says now; after this register's own receipt the face knows it without asking.
    const status = await fn.statusBeforeForming();
    this.fnNumber = status.fnNumber;
    if (status.phase !== PHASE.fiscal) {
      await this.fail(job, { code: 'fn_state', text: `the FN is in phase ${status.phase}, not fiscal mode (registered and not closed)`, recommendation: 'fix_device' });
      return undefined;
    }
    if (FnFace.hasOpenDocument(status)) {
      this.log.warn(`an FN document (${status.document}) was left open: cancelling it`);
      await fn.cancelDocument();
    }
    const at = this.now();
    // fiscal-spec §6.6: say so clearly rather than let the FN refuse with 07h.
    if (at < status.lastDocumentTime) {
      await this.fail(job, {
        code: 'clock',
        text: `the register clock (${atolDateTime(at)}) is behind the FN's last document (${atolDateTime(status.lastDocumentTime)})`,
        recommendation: 'fix_device',
      });
      return undefined;
    }
    return { at, lastFd: status.lastFd };
  }

  /** Hands a fiscalized document to the print queue; its result is finished there, in order. */
  queuePrint(entry: LedgerEntry, fiscal: FiscalAttributes): void {
    const job = entry.job;
    if (!job) return;
    const electronic = 'electronic' in job && job.electronic;
    const mark = this.deps.paperMark;
    // Cut off by the last stop while on its way to paper: again, under КОПИЯ (paper-mark.ts).
    const again = mark?.cutOff(job.id, fiscal.fd) === true;
    if (again && !electronic && !entry.printed) this.log.warn(`job ${job.id}: FD ${fiscal.fd} was being printed when the register stopped; printed again as a copy`);
    this.prints.add({
      id: job.id,
      request: electronic || entry.printed ? undefined : { job, fiscal, registration: this.options.registration, details: reportDetails({ ...fiscal, cashier: this.cashierName(job) }), ...(again ? { again } : {}) },
      ...(mark ? { beforePaper: () => mark.mark(job.id, fiscal.fd), notOnPaper: () => mark.clear() } : {}),
      // Fiscalized stays fiscalized (DESIGN.md §1 invariant 3): say so; it prints when the printer is back.
      notPrinted: () => this.deps.publish(this.result(job, { status: 'fiscalized_not_printed', payload: fiscalPayload(fiscal), printed: false })),
      finish: async (onPaper = false) => {
        // "printed" appended in the same turn as "finished", so one disk write carries both
        // (issue 9 §5). The journal writes appends in call order and fails every append after
        // a failed write (segment-writer.ts): "finished" is never on disk without "printed",
        // and the register sees both recorded or neither (a write torn by a power cut may
        // keep "printed" alone on disk, which says no more than that the receipt is on paper).
        const printed = onPaper ? this.deps.ledger.record({ k: 'printed', id: job.id, at: this.deps.clock.now() }) : undefined;
        await Promise.all([printed, this.finishNow(job, { status: 'done', payload: fiscalPayload(fiscal), ...(electronic ? {} : { printed: true }) })]);
      },
    });
  }

  cashierName(job: Job): string {
    return (('cashier' in job ? job.cashier : undefined) ?? this.options.cashier()).name;
  }

  async refused(job: Job, e: FnError): Promise<void> {
    const meaning = refusalMeaning(e.fnCode);
    let why = '';
    if (e.fnCode === FN_CODE.RESOURCE_LIMIT) {
      // Say which document holds the FN up, so the technician knows what to look for.
      const ofd = await this.deps.fn.ofdStatus().catch(() => undefined);
      if (ofd && ofd.messageCount > 0) why = `; ${ofd.messageCount} document(s) unsent, the oldest FD ${ofd.firstFd} of ${atolDateTime(ofd.firstFdTime)}: restore the OFD connection`;
    }
    return this.fail(job, { code: meaning.code, text: `${meaning.text}${why} (${e.message})`, recommendation: meaning.recommendation, fn_code: e.fnCode });
  }

  fail(job: Job, error: ResultError): Promise<void> {
    this.log.warn(`job ${job.id} failed: ${error.code}: ${error.text}`);
    return this.finish(job, { status: 'fail', error });
  }

  /** The final result in the print queue's order, so results keep the order of the jobs. */
  async finish(job: Job, fields: ResultFields): Promise<void> {
    this.prints.settle(job.id, () => this.finishNow(job, fields));
  }

  /**
   * Records and publishes the final result (from the print queue, or for continue_printing).
   * Rejects only when the record was not written: once it is, the job is finished, and a
   * failure to hand the result on is logged (the broker never acknowledging it, the result
   * reporter sends it again: result-reporter.ts).
   */
  async finishNow(job: Job, fields: ResultFields): Promise<void> {
    const result = this.result(job, fields);
    await this.deps.ledger.record({ k: 'finished', id: job.id, at: this.deps.clock.now(), result });
    try {
      this.deps.publish(result);
    } catch (e) {
      this.log.error(`job ${job.id}: finished, its result not handed on: ${messageOf(e)}`);
    }
  }

  result(job: Job, fields: ResultFields): JobResult {
    // A rate legal only for earlier operations (20 % in 2026) is accepted with a warning (fiscal-spec §7.2).
    const warnings = 'warnings' in job && job.warnings?.length ? { warnings: job.warnings } : {};
    return { version: RESULT_VERSION, id: job.id, type: job.type, device_id: this.options.deviceId, timestamp: atolDateTime(this.now()), ...warnings, ...fields };
  }

  attributes(f: FiscalFields): FiscalAttributes {
    const reg = this.options.registration;
    return { ...f, fnNumber: this.fnNumber, rnm: reg.rnm, ofdInn: reg.ofdInn, fnsSite: reg.fnsSite };
  }
}
