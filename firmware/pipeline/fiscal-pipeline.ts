/**
 * The one readable path of a job (DESIGN.md §1):
 *
 *   accepted job → shift rules → document builder → formDocument (journal "forming" → FN →
 *   journal "fiscalized") → print queue → journal "finished" → result published
 *
 * One document in the FN at a time: jobs and scheduled FN work (shift close, the OFD
 * sender's exchange steps) run through one work queue. A job is never fiscalized twice: a
 * job found "forming" (after a crash, or an FN that stopped answering) is reconciled with
 * the FN archive before anything else happens to it (reconcile.ts).
 */
import { FnError } from '../../drivers/fn/fn-error.ts';
import { FN_CODE } from '../../drivers/fn/fn-response-codes.ts';
import { WorkQueue, type WorkOutcome } from '../core/work-queue.ts';
import { DocumentInvalid, KassaError } from '../core/kassa-error.ts';
import type { Log } from '../core/log.ts';
import type { FfdVersion } from '../fiscal/ffd-version.ts';
import { personTags } from '../fiscal/common-tags.ts';
import type { Cashier } from '../fiscal/receipt.ts';
import { buildCorrectionReceipt, buildReceipt, type BuiltDocument } from '../fiscal/receipt-builder.ts';
import { FD_TYPE } from '../fiscal/tag-table.ts';
import type { Job } from '../jobs/job.ts';
import { reportDetails } from '../print/report-details.ts';
import { formDocument } from './document-forming.ts';
import { PipelineContext, type PipelineDeps, type PipelineOptions } from './pipeline-context.ts';
import { PrintQueue } from './print-queue.ts';
import { reconcileForming } from './reconcile.ts';
import { serviceJob } from './service-jobs.ts';
import type { ShiftReport } from './shift-keeper.ts';

export type { PipelineDeps, PipelineOptions } from './pipeline-context.ts';

type Task = { readonly kind: 'job'; readonly id: string } | { readonly kind: 'work'; readonly run: () => Promise<void> };

export class FiscalPipeline {
  private readonly queue: WorkQueue<Task>;
  private readonly ctx: PipelineContext;
  private readonly log: Log;
  /** Printing runs behind the FN: receipt N prints while receipt N+1 is formed. */
  readonly prints: PrintQueue;

  constructor(deps: PipelineDeps, options: PipelineOptions) {
    this.log = deps.log.child('pipeline');
    this.prints = new PrintQueue({ printer: deps.printer, clock: deps.clock, log: deps.log }, options.printRetryMs);
    this.ctx = new PipelineContext(deps, options, this.prints, this.log);
    this.queue = new WorkQueue<Task>(deps.clock, (task) => this.work(task), {
      retryMs: options.retryDelayMs,
      maxRetryMs: 60_000,
      // One job, one place in the queue (a restart's unfinished jobs and a new submit may name the same).
      key: (task) => (task.kind === 'job' ? task.id : undefined),
      // The FN did not answer (or the journal failed): nothing is decided, the same job is tried again.
      failed: (task, e, retryInMs) => {
        this.log.warn(`${task.kind === 'job' ? `job ${task.id}` : 'FN work'} interrupted, retrying in ${retryInMs} ms: ${e instanceof Error ? e.message : String(e)}`);
        return false;
      },
    });
    void this.queue.stop(); // nothing runs before start(): the unfinished jobs go first
  }

  /** Reconciles unfinished jobs with the FN, then works them in acceptance order. */
  start(): void {
    for (const entry of this.ctx.deps.ledger.unfinished()) this.queue.add({ kind: 'job', id: entry.id });
    if (this.queue.length > 0) this.log.info(`${this.queue.length} unfinished job(s) from before the restart`);
    this.queue.start();
  }

  /**
   * Stops taking work; resolves once the job in progress and the document on paper are done,
   * so that their records reach the journal, which stops after this wing (a receipt on paper
   * whose "printed" the journal never got is printed again at the next start). Unfinished
   * jobs stay in the ledger for the next start.
   */
  async stop(): Promise<void> {
    await Promise.all([this.queue.stop(), this.prints.stop()]);
  }

  describe(): Record<string, unknown> {
    return { queued: this.queue.length, printing: { queued: this.prints.length, blocked: this.prints.blocked, ...this.prints.stats } };
  }

  submit(id: string): void {
    this.queue.add({ kind: 'job', id });
  }

  /** Runs FN work (shift close, reports, OFD steps) in turn with the jobs, never beside them. */
  exclusive<T>(run: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.add({ kind: 'work', run: () => run().then(resolve, reject) });
    });
  }

  get pending(): number {
    return this.queue.length;
  }

  /**
   * Takes a job out of the queue before it starts (the local API's DELETE and `interrupted`,
   * issue 13 §1). False when it is not waiting: the head of the queue may be in the FN.
   */
  withdraw(id: string): boolean {
    const task = this.queue.queued.find((t) => t.kind === 'job' && t.id === id);
    return task !== undefined && this.queue.remove(task);
  }

  /** The FN (or the journal) stopped answering and the head job waits for a retry: an uncertain state. */
  get retrying(): boolean {
    return this.queue.retrying;
  }

  /** Resolves when the queue is empty (tests, benchmarks, orderly shutdown). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async work(task: Task): Promise<WorkOutcome> {
    if (task.kind === 'work') await task.run();
    else await this.job(task.id);
    return 'done';
  }

  private async job(id: string): Promise<void> {
    const { ctx } = this;
    let entry = ctx.deps.ledger.get(id);
    if (!entry?.job || entry.status === 'done' || entry.status === 'fail') return;
    // "forming" without "fiscalized": the FN may or may not hold the document; ask it. A job
    // already fiscalized needs no asking (its FD is journaled) — only its paper.
    if (entry.forming && !entry.fiscal) {
      ctx.fnNumber = (await ctx.deps.fn.status()).fnNumber;
      entry = await reconcileForming({ fn: ctx.deps.fn, ledger: ctx.deps.ledger, log: this.log, clock: ctx.deps.clock }, entry, (f) => ctx.attributes(f));
    }
    if (entry.status === 'fiscalized_not_printed' && entry.fiscal) return ctx.queuePrint(entry, entry.fiscal);
    const job = entry.job;
    if (!job) return;
    ctx.deps.publish(ctx.result(job, { status: 'in_progress' }));
    switch (job.type) {
      case 'sell':
      case 'sell_refund':
      case 'buy':
      case 'buy_refund':
        return this.receipt(job, (ffd, at) => buildReceipt(job.receipt, ffd, at), job.receipt.cashier);
      case 'sell_correction':
      case 'buy_correction':
      case 'sell_refund_correction':
      case 'buy_refund_correction':
        return this.receipt(job, (ffd, at) => buildCorrectionReceipt(job.correction, ffd, at), job.correction.cashier);
      case 'open_shift':
      case 'close_shift':
      case 'state_report':
      case 'x_report':
      case 'print_copy':
      case 'continue_printing':
        return serviceJob(ctx, job);
      default: {
        const unknown: never = job;
        throw new KassaError('DOCUMENT_INVALID', `no path for job type ${(unknown as Job).type}`);
      }
    }
  }

  /** Receipt or correction receipt: the heart of the register. */
  private async receipt(job: Job, build: (ffd: FfdVersion, at: number) => BuiltDocument, cashier: Cashier | undefined): Promise<void> {
    const { ctx } = this;
    const ffd = ctx.options.registration.ffd;
    let doc: BuiltDocument;
    try {
      // Built at today's date: a VAT rate is judged by the document's date (fiscal-spec §7.2).
      doc = build(ffd, ctx.now());
    } catch (e) {
      if (e instanceof DocumentInvalid) return ctx.fail(job, { code: 'invalid_job', text: e.message, recommendation: 'fix_data', problems: e.problems });
      throw e;
    }
    const ready = await ctx.ready(job);
    if (ready === undefined) return;
    const { at } = ready;
    const who = personTags(cashier ?? ctx.options.cashier());
    // The 30h just read (or known to the face: FnFace.statusBeforeForming) serves as the FD
    // before this receipt (one 30h per receipt at most, not two) unless a document was formed
    // since. Nothing else can form one in between: this job holds the FN (the queue runs one
    // task at a time, and every other FN document — OFD steps, scheduled shift close,
    // reports — runs as a task of it), and 06h cancelling an open document forms none. The
    // shift keeper may form an open (or close) report here; FnFace.formed tells of every
    // document formed, and then the FN is asked again.
    let formedSince = false;
    const unlisten = ctx.deps.fn.formed.add(() => (formedSince = true));
    let shiftNumber: number;
    try {
      shiftNumber = await ctx.deps.shifts.ensureOpen(at, who);
    } catch (e) {
      if (e instanceof FnError) return ctx.refused(job, e);
      throw e;
    } finally {
      unlisten();
    }
    return formDocument(ctx, job, at, {
      ...(formedSince ? {} : { fdBefore: ready.lastFd }),
      fdType: doc.fdType,
      operationType: doc.operationType,
      totalKopecks: doc.totalKopecks,
      form: (when) => ctx.deps.fn.formReceipt(ffd, when, doc),
      fields: async (r) => ({ shiftNumber, receiptNumber: r.receiptNumber, operationType: doc.operationType, totalKopecks: doc.totalKopecks }),
      retryAfter: async (e) => {
        if (e.fnCode !== FN_CODE.SHIFT_OVER_24H) return undefined;
        // The register lost track of the shift's age and the FN says it is over: close, reopen, retry.
        await ctx.deps.shifts.closeOnOwn(at, who);
        return 'the shift was over 24 hours; closed it, forming again';
      },
    });
  }

  /**
   * Prints a shift report the register formed on its own (shift-keeper.ts). No job stands
   * behind it, so it is not journaled: a restart before it is on paper loses only the paper
   * (`copy <fd>` at the console, or a print_copy job, prints it from the FN archive).
   */
  printShiftReport(report: ShiftReport): void {
    const { ctx } = this;
    const type = report.kind === 'open' ? 'open_shift' : 'close_shift';
    const r = report.result;
    const id = `register-${type}-fd${r.fd}`;
    const fiscal = ctx.attributes({ fdType: report.kind === 'open' ? FD_TYPE.openShift : FD_TYPE.closeShift, fd: r.fd, fpd: r.fpd, dateTime: report.at, shiftNumber: r.shiftNumber });
    this.prints.add({
      id,
      request: { job: { id, type }, fiscal, registration: ctx.options.registration, details: reportDetails({ ...fiscal, cashier: ctx.options.cashier().name }) },
      notPrinted: () => this.log.warn(`the ${report.kind}-shift report FD ${r.fd} waits for the printer`),
      finish: async () => {},
    });
  }
}
