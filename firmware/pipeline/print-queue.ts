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
  private readonly items: PrintItem[] = [];
  private draining = false;
  private wakeUp: (() => void) | undefined;
  private readonly notified = new Set<string>();
  private readonly log: Log;
  private idleWaiters: (() => void)[] = [];
  readonly stats = { printed: 0, refusals: 0, finished: 0 };

  constructor(
    private readonly deps: PrintQueueDeps,
    /** How often to look again at a printer that refused, ms. */
    private readonly retryMs: number,
  ) {
    this.log = deps.log.child('print-queue');
  }

  get length(): number {
    return this.items.length;
  }

  /** True while the head document waits for the printer. */
  get blocked(): boolean {
    const head = this.items[0];
    return head !== undefined && this.notified.has(head.id);
  }

  /** True when a job is already waiting here (to be printed or finished). */
  has(id: string): boolean {
    return this.items.some((i) => i.id === id);
  }

  add(item: PrintItem): void {
    // One job, one place in the queue: a job worked twice (a restart, a second submit) must
    // not put its receipt on paper twice.
    if (this.has(item.id)) return this.log.debug(() => `job ${item.id} is already in the print queue`);
    this.items.push(item);
    // Behind a blocked head, say at once that this one will not be printed soon either.
    if (this.blocked && item.request) this.refused(item);
    void this.drain();
  }

  /** "Continue printing": try the head again now instead of at the next retry. */
  resume(): void {
    this.wakeUp?.();
  }

  idle(): Promise<void> {
    if (!this.draining && this.items.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let head = this.items[0]; head; head = this.items[0]) {
        if (head.request) {
          const ok = await this.deps.printer.print(head.request).catch((e: unknown) => {
            this.log.warn(`job ${head.id}: printer error: ${e instanceof Error ? e.message : String(e)}`);
            return false;
          });
          if (!ok) {
            this.stats.refusals++;
            for (const item of this.items) if (item.request) this.refused(item);
            await this.finishPaperless();
            await this.pause();
            continue;
          }
          this.stats.printed++;
          await head.printed();
        }
        await head.finish();
        this.stats.finished++;
        this.notified.delete(head.id);
        this.items.shift();
      }
    } finally {
      this.draining = false;
      if (this.items.length === 0) for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  /** While the head waits for the printer: finishes, in order, the jobs behind it that need no paper. */
  private async finishPaperless(): Promise<void> {
    for (const item of this.items.slice(1)) {
      if (item.request) continue;
      await item.finish();
      this.stats.finished++;
      this.items.splice(this.items.indexOf(item), 1);
    }
  }

  private refused(item: PrintItem): void {
    if (this.notified.has(item.id)) return;
    this.notified.add(item.id);
    item.notPrinted();
  }

  private pause(): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.deps.clock.after(this.retryMs, () => {
        this.wakeUp = undefined;
        resolve();
      });
      this.wakeUp = () => {
        timer.cancel();
        this.wakeUp = undefined;
        resolve();
      };
    });
  }
}
