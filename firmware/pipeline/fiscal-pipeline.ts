/**
 * The one readable path of a job (DESIGN.md §1):
 *
 *   accepted job → shift rules → document builder → journal "forming" → FN → journal
 *   "fiscalized" → printer → journal "finished" → result published
 *
 * One document in the FN at a time: jobs and scheduled FN work (shift close) run through one
 * queue. A job is never fiscalized twice: the "forming" record is durable before the FN is
 * touched, and a job found "forming" (after a crash, or an FN that stopped answering) is
 * reconciled with the FN archive before anything else happens to it (reconcile.ts).
 */
import { FnError } from '../../drivers/fn/fn-error.ts';
import { FnFace } from '../../drivers/fn/fn-face.ts';
import { FN_CODE } from '../../drivers/fn/fn-response-codes.ts';
import { PHASE } from '../../drivers/fn/fn-status-flags.ts';
import type { Clock } from '../core/clock.ts';
import { DocumentInvalid, KassaError } from '../core/kassa-error.ts';
import { atolDateTime, type LocalTime } from '../core/local-time.ts';
import type { Log } from '../core/log.ts';
import type { RegistrationConfig } from '../config/device-config.ts';
import { personTags } from '../fiscal/common-tags.ts';
import type { Cashier } from '../fiscal/receipt.ts';
import { buildCorrectionReceipt, buildReceipt, type BuiltDocument } from '../fiscal/receipt-builder.ts';
import { FD_TYPE } from '../fiscal/tag-table.ts';
import type { Job, ServiceJob } from '../jobs/job.ts';
import { fiscalPayload, RESULT_VERSION, type FiscalAttributes, type JobResult, type ResultError } from '../jobs/job-result.ts';
import type { ReceiptPrinter } from '../print/receipt-printer.ts';
import { PrintQueue } from './print-queue.ts';
import { decodeTlv } from '../fiscal/tlv-codec.ts';
import { copyRequest } from '../print/copy-from-archive.ts';
import { reportDetails } from '../print/report-details.ts';
import { refusalMeaning } from './fn-refusals.ts';
import type { JobLedger, LedgerEntry } from '../jobs/job-ledger.ts';
import { reconcileForming } from './reconcile.ts';
import type { ShiftKeeper, ShiftReport } from './shift-keeper.ts';

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
  /** A fiscal document is in the FN: the OFD sender should send it now. */
  readonly documentFormed: () => void;
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

type Task = { readonly kind: 'job'; readonly id: string } | { readonly kind: 'work'; readonly run: () => Promise<void> };

/** FN answers to 45h that mean "no such document": 08h no data, 02h wrong state (fn-protocol Table 5). */
const NO_SUCH_DOCUMENT: ReadonlySet<number> = new Set([FN_CODE.NO_DATA, FN_CODE.WRONG_STATE]);

export class FiscalPipeline {
  private readonly queue: Task[] = [];
  private readonly queuedJobs = new Set<string>();
  private draining = false;
  private stopped = false;
  private retryDelay: number;
  private readonly log: Log;
  private idleWaiters: (() => void)[] = [];
  /** Learned from every 30h answer; part of each result. */
  private fnNumber = '';
  /** Printing runs behind the FN: receipt N prints while receipt N+1 is formed. */
  readonly prints: PrintQueue;

  constructor(
    private readonly deps: PipelineDeps,
    private readonly options: PipelineOptions,
  ) {
    this.log = deps.log.child('pipeline');
    this.retryDelay = options.retryDelayMs;
    this.prints = new PrintQueue({ printer: deps.printer, clock: deps.clock, log: deps.log }, options.printRetryMs);
  }

  /** Reconciles unfinished jobs with the FN, then works them in acceptance order. */
  start(): void {
    for (const entry of this.deps.ledger.unfinished()) this.enqueue(entry.id);
    if (this.queue.length > 0) this.log.info(`${this.queue.length} unfinished job(s) from before the restart`);
    void this.drain();
  }

  stop(): void {
    this.stopped = true;
  }

  submit(id: string): void {
    this.enqueue(id);
    void this.drain();
  }

  /** One job, one place in the queue (a restart's unfinished jobs and a new submit may name the same). */
  private enqueue(id: string): void {
    if (this.queuedJobs.has(id)) return;
    this.queuedJobs.add(id);
    this.queue.push({ kind: 'job', id });
  }

  /** Runs FN work (shift close, reports) in turn with the jobs, never beside them. */
  exclusive<T>(run: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ kind: 'work', run: () => run().then(resolve, reject) });
      void this.drain();
    });
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Resolves when the queue is empty (tests, benchmarks, orderly shutdown). */
  idle(): Promise<void> {
    if (!this.draining && this.queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (!this.stopped && this.queue.length > 0) {
        const task = this.queue[0];
        if (!task) break;
        try {
          if (task.kind === 'job') await this.work(task.id);
          else await task.run();
          this.queue.shift();
          if (task.kind === 'job') this.queuedJobs.delete(task.id);
          this.retryDelay = this.options.retryDelayMs;
        } catch (e) {
          // The FN did not answer (or the journal failed): nothing is decided, try the same task again.
          this.log.warn(`${task.kind === 'job' ? `job ${task.id}` : 'FN work'} interrupted, retrying in ${this.retryDelay} ms: ${describe(e)}`);
          if (task.kind === 'work') this.queue.shift();
          await new Promise((r) => this.deps.clock.after(this.retryDelay, () => r(undefined)));
          this.retryDelay = Math.min(this.retryDelay * 2, 60_000);
        }
      }
    } finally {
      this.draining = false;
      if (this.queue.length === 0) for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private now(): number {
    return this.deps.localTime.toLocalSeconds(this.deps.clock.now());
  }

  private async work(id: string): Promise<void> {
    let entry = this.deps.ledger.get(id);
    if (!entry?.job || entry.status === 'done' || entry.status === 'fail') return;
    if (entry.forming) {
      this.fnNumber = (await this.deps.fn.status()).fnNumber;
      entry = await reconcileForming({ fn: this.deps.fn, ledger: this.deps.ledger, log: this.log, clock: this.deps.clock }, entry, (f) => this.attributes(f));
    }
    if (entry.status === 'fiscalized_not_printed' && entry.fiscal) return this.queuePrint(entry, entry.fiscal);
    const job = entry.job;
    if (!job) return;
    this.deps.publish(this.result(job, { status: 'in_progress' }));
    switch (job.type) {
      case 'sell':
      case 'sell_refund':
      case 'buy':
      case 'buy_refund':
        return this.fiscalize(job, (ffd) => buildReceipt(job.receipt, ffd), job.receipt.cashier);
      case 'sell_correction':
      case 'buy_correction':
        return this.fiscalize(job, (ffd) => buildCorrectionReceipt(job.correction, ffd), job.correction.cashier);
      case 'open_shift':
      case 'close_shift':
      case 'state_report':
      case 'x_report':
      case 'print_copy':
      case 'continue_printing':
        return this.service(job);
      default: {
        const unknown: never = job;
        throw new KassaError('DOCUMENT_INVALID', `no path for job type ${(unknown as Job).type}`);
      }
    }
  }

  /** Receipt or correction receipt: the heart of the register. */
  private async fiscalize(job: Job, build: (ffd: RegistrationConfig['ffd']) => BuiltDocument, cashier: Cashier | undefined): Promise<void> {
    const ffd = this.options.registration.ffd;
    let doc: BuiltDocument;
    try {
      doc = build(ffd);
    } catch (e) {
      if (e instanceof DocumentInvalid) return this.fail(job, { code: 'invalid_job', text: e.message, recommendation: 'fix_data', problems: e.problems });
      throw e;
    }
    const at = await this.readyToForm(job);
    if (at === undefined) return;
    const who = personTags(cashier ?? this.options.cashier());
    let shiftNumber: number;
    try {
      shiftNumber = await this.deps.shifts.ensureOpen(at, who);
    } catch (e) {
      if (e instanceof FnError) return this.refused(job, e);
      throw e;
    }
    const fdBefore = (await this.deps.fn.status()).lastFd;
    await this.deps.ledger.record({ k: 'forming', id: job.id, at: this.deps.clock.now(), forming: { fdBefore, fdType: doc.fdType, operationType: doc.operationType, totalKopecks: doc.totalKopecks } });
    let formed;
    try {
      formed = await this.deps.fn.formReceipt(ffd, at, doc);
    } catch (e) {
      if (!(e instanceof FnError)) throw e; // no answer: the document may exist; reconciled on retry
      await this.deps.ledger.record({ k: 'unformed', id: job.id, at: this.deps.clock.now() });
      if (e.fnCode === FN_CODE.SHIFT_OVER_24H) {
        // The register lost track of the shift's age and the FN says it is over: close, reopen, retry.
        await this.deps.shifts.closeOnOwn(at, who);
        throw new KassaError('FN_RESPONSE', 'the shift was over 24 hours; closed it, forming again', { cause: e });
      }
      return this.refused(job, e);
    }
    const fiscal = this.attributes({ fdType: doc.fdType, fd: formed.fd, fpd: formed.fpd, dateTime: at, shiftNumber, receiptNumber: formed.receiptNumber, operationType: doc.operationType, totalKopecks: doc.totalKopecks });
    const after = await this.deps.ledger.record({ k: 'fiscalized', id: job.id, at: this.deps.clock.now(), fiscal });
    this.deps.documentFormed();
    this.log.info(`job ${job.id}: FD ${formed.fd}, receipt ${formed.receiptNumber} of shift ${shiftNumber}, FPD ${formed.fpd}`);
    this.queuePrint(after, fiscal);
  }

  /** Checks the FN can form a document now; returns the local time to form it at, or fails the job. */
  private async readyToForm(job: Job): Promise<number | undefined> {
    const status = await this.deps.fn.status();
    this.fnNumber = status.fnNumber;
    if (status.phase !== PHASE.fiscal) {
      await this.fail(job, { code: 'fn_state', text: `the FN is in phase ${status.phase}, not fiscal mode (registered and not closed)`, recommendation: 'fix_device' });
      return undefined;
    }
    if (FnFace.hasOpenDocument(status)) {
      this.log.warn(`an FN document (${status.document}) was left open: cancelling it`);
      await this.deps.fn.cancelDocument();
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
    return at;
  }

  private async service(job: Job): Promise<void> {
    if (job.type === 'continue_printing') {
      const waiting = this.prints.length;
      this.prints.resume();
      // A command to the printer, not a document: answered at once, not in the queue's turn.
      return this.finishNow(job, { status: 'done', message: waiting > 0 ? `printing resumed: ${waiting} document(s) in the print queue` : 'nothing waits for the printer' });
    }
    if (job.type === 'print_copy') return this.printCopy(job);
    const cashier = personTags(('cashier' in job ? job.cashier : undefined) ?? this.options.cashier());
    const at = await this.readyToForm(job);
    if (at === undefined) return;
    try {
      if (job.type === 'open_shift' || job.type === 'close_shift') {
        const shift = await this.deps.shifts.current();
        const wanted = job.type === 'open_shift';
        if (shift.open === wanted) return this.finish(job, { status: 'done', message: `shift ${shift.number} is already ${wanted ? 'open' : 'closed'}` });
        const fdBefore = (await this.deps.fn.status()).lastFd;
        await this.deps.ledger.record({ k: 'forming', id: job.id, at: this.deps.clock.now(), forming: { fdBefore, fdType: wanted ? FD_TYPE.openShift : FD_TYPE.closeShift } });
        const r = wanted ? await this.deps.shifts.open(at, cashier) : await this.deps.shifts.close(at, cashier);
        const fiscal = this.attributes({ fdType: wanted ? FD_TYPE.openShift : FD_TYPE.closeShift, fd: r.fd, fpd: r.fpd, dateTime: at, shiftNumber: r.shiftNumber });
        this.deps.documentFormed();
        return this.queuePrint(await this.deps.ledger.record({ k: 'fiscalized', id: job.id, at: this.deps.clock.now(), fiscal }), fiscal);
      }
      if (job.type === 'state_report') {
        const fdBefore = (await this.deps.fn.status()).lastFd;
        await this.deps.ledger.record({ k: 'forming', id: job.id, at: this.deps.clock.now(), forming: { fdBefore, fdType: FD_TYPE.stateReport } });
        const r = await this.deps.fn.formStateReport(this.options.registration.ffd, at, cashier);
        const shift = await this.deps.shifts.current();
        const fiscal = this.attributes({
          fdType: FD_TYPE.stateReport,
          fd: r.fd,
          fpd: r.fpd,
          dateTime: at,
          shiftNumber: shift.number,
          unconfirmedCount: r.unconfirmedCount,
          ...(r.unconfirmedCount > 0 ? { firstUnconfirmedDate: r.firstUnconfirmedDate } : {}),
        });
        this.deps.documentFormed();
        return this.queuePrint(await this.deps.ledger.record({ k: 'fiscalized', id: job.id, at: this.deps.clock.now(), fiscal }), fiscal);
      }
      // x_report: non-fiscal, no FD: the shift's counters, printed.
      const shift = await this.deps.shifts.current();
      const params = await this.deps.fn.shift();
      const lines = [`СМЕНА ${shift.number} ${shift.open ? 'ОТКРЫТА' : 'ЗАКРЫТА'}`, `ЧЕКОВ ЗА СМЕНУ: ${params.receiptNumber}`];
      const reg = this.options.registration;
      const details: [string, string][] = [
        ['СМЕНА', `${shift.number} ${shift.open ? 'ОТКРЫТА' : 'ЗАКРЫТА'}`],
        ['ЧЕКОВ ЗА СМЕНУ', String(params.receiptNumber)],
        ['ДАТА ВРЕМЯ', atolDateTime(at).slice(0, 16)],
        ['КАССИР', this.cashierName(job)],
        ['РН ККТ', reg.rnm],
        ['ФН', this.fnNumber],
      ];
      this.prints.add({
        id: job.id,
        request: { job, registration: reg, title: 'X-ОТЧЕТ (НЕФИСКАЛЬНЫЙ ДОКУМЕНТ)', details },
        printed: async () => {},
        notPrinted: () => this.log.warn(`job ${job.id}: the X-report waits for the printer`),
        finish: () => this.finishNow(job, { status: 'done', message: lines.join('; ') }),
      });
      return;
    } catch (e) {
      if (!(e instanceof FnError)) throw e;
      if (this.deps.ledger.get(job.id)?.forming) await this.deps.ledger.record({ k: 'unformed', id: job.id, at: this.deps.clock.now() });
      return this.refused(job, e);
    }
  }

  /** A copy of a document, rebuilt from the FN archive (45h/46h) and marked as a copy. */
  private async printCopy(job: ServiceJob): Promise<void> {
    const fd = job.fd ?? (await this.deps.fn.status()).lastFd;
    let request;
    try {
      const archived = await this.deps.fn.readDocument(fd);
      request = copyRequest(job, { fdType: archived.fdType, nodes: decodeTlv(archived.tlv) }, this.options.registration);
    } catch (e) {
      if (e instanceof FnError && NO_SUCH_DOCUMENT.has(e.fnCode)) return this.fail(job, { code: 'no_document', text: `the FN archive has no FD ${fd}`, recommendation: 'fix_data', fn_code: e.fnCode });
      if (e instanceof KassaError && e.code === 'FN_PROTOCOL') return this.fail(job, { code: 'no_document', text: `FD ${fd}: ${e.message}`, recommendation: 'fix_device' });
      throw e;
    }
    this.prints.add({
      id: job.id,
      request,
      printed: async () => {},
      notPrinted: () => this.log.warn(`job ${job.id}: the copy of FD ${fd} waits for the printer`),
      finish: () => this.finishNow(job, { status: 'done', message: `copy of FD ${fd} printed` }),
    });
  }

  /**
   * Prints a shift report the register formed on its own (shift-keeper.ts). No job stands
   * behind it, so it is not journaled: a restart before it is on paper loses only the paper
   * (`copy <fd>` at the console, or a print_copy job, prints it from the FN archive).
   */
  printShiftReport(report: ShiftReport): void {
    const type = report.kind === 'open' ? 'open_shift' : 'close_shift';
    const r = report.result;
    const id = `register-${type}-fd${r.fd}`;
    const fiscal = this.attributes({ fdType: report.kind === 'open' ? FD_TYPE.openShift : FD_TYPE.closeShift, fd: r.fd, fpd: r.fpd, dateTime: report.at, shiftNumber: r.shiftNumber });
    this.prints.add({
      id,
      request: { job: { id, type }, fiscal, registration: this.options.registration, details: reportDetails({ ...fiscal, cashier: this.options.cashier().name }) },
      printed: async () => {},
      notPrinted: () => this.log.warn(`the ${report.kind}-shift report FD ${r.fd} waits for the printer`),
      finish: async () => {},
    });
  }

  /** Hands a fiscalized document to the print queue; its result is finished there, in order. */
  private queuePrint(entry: LedgerEntry, fiscal: FiscalAttributes): void {
    const job = entry.job;
    if (!job) return;
    const electronic = 'electronic' in job && job.electronic;
    this.prints.add({
      id: job.id,
      request: electronic || entry.printed ? undefined : { job, fiscal, registration: this.options.registration, details: reportDetails({ ...fiscal, cashier: this.cashierName(job) }) },
      printed: async () => {
        await this.deps.ledger.record({ k: 'printed', id: job.id, at: this.deps.clock.now() });
      },
      // Fiscalized stays fiscalized (DESIGN.md §1 invariant 3): say so; it prints when the printer is back.
      notPrinted: () => this.deps.publish(this.result(job, { status: 'fiscalized_not_printed', payload: fiscalPayload(fiscal), printed: false })),
      finish: () => this.finishNow(job, { status: 'done', payload: fiscalPayload(fiscal), ...(electronic ? {} : { printed: true }) }),
    });
  }

  private cashierName(job: Job): string {
    return (('cashier' in job ? job.cashier : undefined) ?? this.options.cashier()).name;
  }

  private async refused(job: Job, e: FnError): Promise<void> {
    const meaning = refusalMeaning(e.fnCode);
    let why = '';
    if (e.fnCode === FN_CODE.RESOURCE_LIMIT) {
      // Say which document holds the FN up, so the technician knows what to look for.
      const ofd = await this.deps.fn.ofdStatus().catch(() => undefined);
      if (ofd && ofd.messageCount > 0) why = `; ${ofd.messageCount} document(s) unsent, the oldest FD ${ofd.firstFd} of ${atolDateTime(ofd.firstFdTime)}: restore the OFD connection`;
    }
    return this.fail(job, { code: meaning.code, text: `${meaning.text}${why} (${e.message})`, recommendation: meaning.recommendation, fn_code: e.fnCode });
  }

  private fail(job: Job, error: ResultError): Promise<void> {
    this.log.warn(`job ${job.id} failed: ${error.code}: ${error.text}`);
    return this.finish(job, { status: 'fail', error });
  }

  /** The final result in the print queue's turn, so results keep the order of the jobs. */
  private async finish(job: Job, fields: Partial<JobResult> & Pick<JobResult, 'status'>): Promise<void> {
    this.prints.add({ id: job.id, request: undefined, printed: async () => {}, notPrinted: () => {}, finish: () => this.finishNow(job, fields) });
  }

  /** Records and publishes the final result (from the print queue, or for continue_printing). */
  private async finishNow(job: Job, fields: Partial<JobResult> & Pick<JobResult, 'status'>): Promise<void> {
    const result = this.result(job, fields);
    await this.deps.ledger.record({ k: 'finished', id: job.id, at: this.deps.clock.now(), result });
    this.deps.publish(result);
  }

  private result(job: Job, fields: Partial<JobResult> & Pick<JobResult, 'status'>): JobResult {
    return { version: RESULT_VERSION, id: job.id, type: job.type, device_id: this.options.deviceId, timestamp: atolDateTime(this.now()), ...fields };
  }

  private attributes(f: Omit<FiscalAttributes, 'fnNumber' | 'rnm' | 'ofdInn' | 'fnsSite'>): FiscalAttributes {
    const reg = this.options.registration;
    return { ...f, fnNumber: this.fnNumber, rnm: reg.rnm, ofdInn: reg.ofdInn, fnsSite: reg.fnsSite };
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
