/**
 * Printing behind the FN (issue 4 §3, §5): a fiscalized document joins this queue and the
 * pipeline goes on to the next job, so printing one receipt overlaps the FN work of the
 * next. Every job's final result passes through this queue — printed or not, done or
 * failed — so results keep the order of the jobs.
 *
 * A document that cannot be printed (paper out, cover open, printer offline) stays at the
 * head: it is fiscalized and stays fiscalized (DESIGN.md §1 invariant 3); its result says
 * "fiscalized, not printed", and so do the results of the documents waiting behind it;
 * printing resumes by itself when the printer is ready again, or at once on `resume()`.
 * Jobs that need no paper (electronic receipts, failures) are no items of their own: their
 * result rides behind the last document queued before it, and is finished right after that
 * document; with nothing queued it is finished at once. While the head waits for the
 * printer, they are not held up: they are finished ahead of it, in their own order.
 */
import type { Clock } from '../core/clock.ts';
import type { Log } from '../core/log.ts';
import { messageOf } from '../core/kassa-error.ts';
import { WorkQueue, type WorkOutcome } from '../core/work-queue.ts';
import type { PrintRequest, ReceiptPrinter } from '../print/receipt-printer.ts';

export interface PrintItem {
  readonly id: string;
  /** Undefined: nothing to print (an electronic receipt), only to finish in turn (see settle()). */
  readonly request: PrintRequest | undefined;
  /** Called when the printer refuses it for now (once per item). */
  readonly notPrinted: () => void;
  /**
   * Records the final result, called in queue order; `onPaper`: the document has just gone
   * on paper, which is recorded with it. Rejects only when it recorded nothing: it is then
   * called again, on the queue's next try.
   */
  readonly finish: (onPaper?: boolean) => Promise<void>;
  /** Called once the printer is ready for the document's first byte, and awaited (paper-mark.ts). */
  readonly beforePaper?: () => Promise<void>;
  /** The printer said the document did not come out whole: it is no longer on its way (paper-mark.ts). */
  readonly notOnPaper?: () => Promise<void>;
}

export interface PrintQueueDeps {
  readonly printer: ReceiptPrinter;
  readonly clock: Clock;
  readonly log: Log;
}

interface Paperless {
  readonly id: string;
  readonly finish: () => Promise<void>;
}

interface Document extends PrintItem {
  readonly request: PrintRequest;
  /** Results of paperless jobs that came after this document: finished right after it. */
  readonly behind: Paperless[];
  /**
   * How far its work got: a head worked again after a failure (the journal refused its
   * records) goes on from there, never on paper twice in a run, never finished twice; 'done'
   * once the results behind it are finished too (see finishBehind).
   */
  stage: 'queued' | 'on paper' | 'finished' | 'done';
}

export class PrintQueue {
  private readonly queue: WorkQueue<Document>;
  private readonly notified = new Set<string>();
  /** Documents whose beforePaper ran (removed once finished). */
  private readonly marked = new Set<string>();
  /** Paperless results finished with nothing queued: one after another, in order. */
  private direct: Promise<void> = Promise.resolve();
  private readonly log: Log;
  /** `unrecorded`: tries whose result could not be recorded (the journal refused it). */
  readonly stats = { printed: 0, refusals: 0, finished: 0, unrecorded: 0 };
  /** The head whose failure was last logged: each failing head is logged once, every try counted. */
  private failedHead: string | undefined;

  constructor(
    private readonly deps: PrintQueueDeps,
    /** How often to look again at a printer that refused, ms. */
    retryMs: number,
  ) {
    this.log = deps.log.child('print-queue');
    this.queue = new WorkQueue(deps.clock, (head) => this.work(head), {
      retryMs,
      key: (item) => item.id,
      failed: (head, e, retryInMs) => {
        this.stats.unrecorded++;
        if (this.failedHead !== head.id) this.log.error(`job ${head.id}: its result was not recorded (${messageOf(e)}); tried again every ${retryInMs} ms${head.stage === 'on paper' ? ', not put on paper again' : ''}`);
        this.failedHead = head.id;
        return false;
      },
    });
  }

  /** Documents waiting to be printed. */
  get length(): number {
    return this.queue.length;
  }

  /** True while the head document waits for the printer. */
  get blocked(): boolean {
    const head = this.queue.head;
    return head !== undefined && this.notified.has(head.id);
  }

  /** True when a job is already waiting here (to be printed or finished). */
  has(id: string): boolean {
    return this.queue.queued.some((d) => d.id === id || d.behind.some((p) => p.id === id));
  }

  add(item: PrintItem): void {
    // One job, one place in the queue: a job worked twice (a restart, a second submit) must
    // not put its receipt on paper twice.
    if (this.has(item.id)) return this.log.debug(() => `job ${item.id} is already in the print queue`);
    if (!item.request) return this.settle(item.id, item.finish);
    // Behind a blocked head, say at once that this one will not be printed soon either.
    const blocked = this.blocked;
    const busy = this.queue.length > 0;
    this.queue.add({ ...item, request: item.request, behind: [], stage: 'queued' });
    // Behind a document on paper: lay it out now, while that paper moves (issue 9 §7).
    if (busy && !blocked) this.deps.printer.prepare?.(item.request);
    if (blocked) this.refused(item);
  }

  /** A result that needs no paper, finished in job order: after the last document queued, or now. */
  settle(id: string, finish: () => Promise<void>): void {
    const last = this.queue.queued.at(-1);
    if (last && last.stage !== 'done') {
      last.behind.push({ id, finish });
      return;
    }
    this.direct = this.direct.then(() => this.finishPaperlessResult({ id, finish }));
  }

  /** "Continue printing": try the head again now instead of at the next retry. */
  resume(): void {
    this.queue.wake();
  }

  /** Stops after the document in progress, and resolves then; what waits stays queued (a restart prints it from the journal). */
  stop(): Promise<void> {
    return this.queue.stop();
  }

  async idle(): Promise<void> {
    await this.queue.idle();
    await this.direct;
  }

  private async work(head: Document): Promise<WorkOutcome> {
    if (head.stage === 'queued') {
      // Marked once the printer is ready, before its first byte, once per document in a run:
      // a try the printer refused before printing marks nothing (paper-mark.ts).
      const mark = head.beforePaper;
      const onWay =
        mark && !this.marked.has(head.id)
          ? async (): Promise<void> => {
              this.marked.add(head.id);
              await mark().catch((e: unknown) => this.log.warn(`job ${head.id}: not marked as on its way to paper (${messageOf(e)}); a stop during its print would print it again as an original`));
            }
          : undefined;
      let threw = false;
      const ok = await this.deps.printer.print(head.request, onWay).catch((e: unknown) => {
        threw = true; // what reached the paper is unknown: the mark stays
        this.log.warn(`job ${head.id}: printer error: ${messageOf(e)}`);
        return false;
      });
      // The printer said it stopped short: the register knows this receipt is not out whole, and
      // prints it again, whole, as the original; a restart before then must not make it a КОПИЯ.
      if (!ok && !threw && this.marked.has(head.id) && head.notOnPaper) {
        this.marked.delete(head.id);
        await head.notOnPaper().catch((e: unknown) => this.log.warn(`job ${head.id}: its paper mark not taken back (${messageOf(e)}); a restart before it prints would print a КОПИЯ`));
      }
      if (!ok) {
        this.stats.refusals++;
        for (const doc of this.queue.queued) this.refused(doc);
        await this.finishPaperless();
        return 'wait';
      }
      this.stats.printed++;
      head.stage = 'on paper';
    }
    // A failure from here on is the journal's (its finish rejects only when nothing was
    // recorded): the queue tries the head again later, from this stage.
    if (head.stage === 'on paper') {
      await this.finished(() => head.finish(true));
      head.stage = 'finished';
    }
    this.notified.delete(head.id);
    this.marked.delete(head.id);
    await this.finishBehind(head);
    return 'done';
  }

  /** While the head waits for the printer: finishes, in order, the jobs that need no paper. */
  private async finishPaperless(): Promise<void> {
    for (const doc of this.queue.queued) await this.finishBehind(doc);
  }

  /** One at a time from the front: a result that joins while another is being finished is not missed. */
  private async finishBehind(doc: Document): Promise<void> {
    for (let p = doc.behind.shift(); p; p = doc.behind.shift()) await this.finishPaperlessResult(p);
    // In the turn that found nothing more behind a finished head: from now on settle() finishes
    // a result directly instead of putting it behind a head the queue is about to drop.
    if (doc.stage === 'finished') doc.stage = 'done';
  }

  /**
   * A result that could not be recorded is left to the journal: its job is still unfinished
   * there, and the next start works it again. Holding it here would hold up every document and
   * result behind it, and trying again could not help: the journal refuses every append after
   * a failed write (segment-writer.ts). A document whose records fail is held instead (the
   * queue tries it again): printing the documents behind it would put on paper receipts the
   * journal cannot record, each to be printed again at the next start.
   */
  private async finishPaperlessResult(p: Paperless): Promise<void> {
    try {
      await this.finished(p.finish);
    } catch (e) {
      this.stats.unrecorded++;
      this.log.error(`job ${p.id}: its result was not recorded (${messageOf(e)}); the next start works the job again`);
    }
  }

  private async finished(finish: () => Promise<void>): Promise<void> {
    await finish();
    this.stats.finished++;
  }

  private refused(item: PrintItem): void {
    if (this.notified.has(item.id)) return;
    this.notified.add(item.id);
    // Only a word to the cloud: its failure must not stop the queue's round, nor count as a record the journal refused.
    try {
      item.notPrinted();
    } catch (e) {
      this.log.warn(`job ${item.id}: "not printed" not handed on: ${messageOf(e)}`);
    }
  }
}
