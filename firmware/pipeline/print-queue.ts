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
 * Jobs that need no paper (electronic receipts, failures) are not held up by the printer:
 * while the head waits for it, they are finished ahead of it, in their own order.
 */
import type { Clock } from '../core/clock.ts';
import type { Log } from '../core/log.ts';
import { WorkQueue, type WorkOutcome } from '../core/work-queue.ts';
import type { PrintRequest, ReceiptPrinter } from '../print/receipt-printer.ts';

export interface PrintItem {
  readonly id: string;
  /** Undefined: nothing to print (an electronic receipt), only to finish in turn. */
  readonly request: PrintRequest | undefined;
  /** Called once the document is on paper, before `finish`. */
  readonly printed: () => Promise<void>;
  /** Called when the printer refuses it for now (once per item). */
  readonly notPrinted: () => void;
  /** Records the final result: called in queue order. */
  readonly finish: () => Promise<void>;
}

export interface PrintQueueDeps {
  readonly printer: ReceiptPrinter;
  readonly clock: Clock;
  readonly log: Log;
}

export class PrintQueue {
  private readonly queue: WorkQueue<PrintItem>;
  private readonly notified = new Set<string>();
  private readonly log: Log;
  readonly stats = { printed: 0, refusals: 0, finished: 0 };

  constructor(
    private readonly deps: PrintQueueDeps,
    /** How often to look again at a printer that refused, ms. */
    retryMs: number,
  ) {
    this.log = deps.log.child('print-queue');
    // One job, one place in the queue: a job worked twice (a restart, a second submit) must
    // not put its receipt on paper twice.
    this.queue = new WorkQueue(deps.clock, (head) => this.work(head), { retryMs, key: (item) => item.id });
  }

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
    return this.queue.queued.some((i) => i.id === id);
  }

  add(item: PrintItem): void {
    // Behind a blocked head, say at once that this one will not be printed soon either.
    const blocked = this.blocked;
    if (!this.queue.add(item)) return this.log.debug(() => `job ${item.id} is already in the print queue`);
    if (blocked && item.request) this.refused(item);
  }

  /** "Continue printing": try the head again now instead of at the next retry. */
  resume(): void {
    this.queue.wake();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async work(head: PrintItem): Promise<WorkOutcome> {
    if (head.request) {
      const ok = await this.deps.printer.print(head.request).catch((e: unknown) => {
        this.log.warn(`job ${head.id}: printer error: ${e instanceof Error ? e.message : String(e)}`);
        return false;
      });
      if (!ok) {
        this.stats.refusals++;
        for (const item of this.queue.queued) if (item.request) this.refused(item);
        await this.finishPaperless();
        return 'wait';
      }
      this.stats.printed++;
      await head.printed();
    }
    await head.finish();
    this.stats.finished++;
    this.notified.delete(head.id);
    return 'done';
  }

  /** While the head waits for the printer: finishes, in order, the jobs behind it that need no paper. */
  private async finishPaperless(): Promise<void> {
    for (const item of this.queue.queued.slice(1)) {
      if (item.request) continue;
      await item.finish();
      this.stats.finished++;
      this.queue.remove(item);
    }
  }

  private refused(item: PrintItem): void {
    if (this.notified.has(item.id)) return;
    this.notified.add(item.id);
    item.notPrinted();
  }
}
