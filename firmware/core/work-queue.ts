/**
 * One work queue (DESIGN.md §3 rule 12): items are worked one at a time, in order, by one
 * worker. The worker says what became of the head:
 *
 *   - 'done': the head leaves the queue, the next one is worked;
 *   - 'wait': the head stays and is worked again after `retryMs` (or at once on `wake()`);
 *   - it throws: the head stays and is worked again after a backoff that doubles from
 *     `retryMs` up to `maxRetryMs`, unless `failed` drops it.
 *
 * Items with a key are queued once per key. Timers go through the injected clock, so a test
 * steps them. The fiscal pipeline (one document in the FN at a time) and the print queue
 * (one document on paper at a time) are both this queue.
 */
import type { Clock } from './clock.ts';
import { Sleeper } from './sleeper.ts';

export type WorkOutcome = 'done' | 'wait';

export interface WorkQueueOptions<T> {
  /** Pause after 'wait', and the first pause after a failure, ms. */
  readonly retryMs: number;
  /** Longest pause after repeated failures, ms. Default: `retryMs` (no growth). */
  readonly maxRetryMs?: number;
  /** An item's identity: a second item with the same key is not queued. */
  readonly key?: (item: T) => string | undefined;
  /** The worker threw: true drops the head (its owner has been told), false retries it. */
  readonly failed?: (item: T, error: unknown, retryInMs: number) => boolean;
}

export class WorkQueue<T> {
  private readonly items: T[] = [];
  private readonly keys = new Set<string>();
  private running = false;
  private stopped = false;
  private delay: number;
  private readonly sleeper: Sleeper;
  private idleWaiters: (() => void)[] = [];
  /** stop() callers waiting for the item in progress. */
  private haltWaiters: (() => void)[] = [];
  private failing = false;

  constructor(
    private readonly clock: Clock,
    private readonly work: (item: T) => Promise<WorkOutcome>,
    private readonly options: WorkQueueOptions<T>,
  ) {
    this.delay = options.retryMs;
    this.sleeper = new Sleeper(clock);
  }

  get length(): number {
    return this.items.length;
  }

  get head(): T | undefined {
    return this.items[0];
  }

  /** The items in order, the head first (read only). */
  get queued(): readonly T[] {
    return this.items;
  }

  /** Queues an item; false when an item of the same key is already queued. */
  add(item: T): boolean {
    const key = this.options.key?.(item);
    if (key !== undefined) {
      if (this.keys.has(key)) return false;
      this.keys.add(key);
    }
    this.items.push(item);
    void this.run();
    return true;
  }

  /** Takes an item out of the queue; false when it is not queued or is the head being worked. */
  remove(item: T): boolean {
    const at = this.items.indexOf(item);
    if (at < 0 || (at === 0 && this.running)) return false;
    this.forget(at);
    return true;
  }

  /** The head failed and waits to be worked again (the FN or the journal did not answer): an uncertain state. */
  get retrying(): boolean {
    return this.failing;
  }

  /** Ends the pause in progress: the head is worked again now. */
  wake(): void {
    this.sleeper.wake();
  }

  /** Starts working (a queue is started by its first add() too, unless stopped). */
  start(): void {
    this.stopped = false;
    void this.run();
  }

  /** Stops after the item in progress; what is queued stays queued. Resolves once that item is done. */
  stop(): Promise<void> {
    this.stopped = true;
    this.sleeper.wake();
    if (!this.running) return Promise.resolve();
    return new Promise((r) => this.haltWaiters.push(r));
  }

  /** Resolves when nothing is queued or in progress. */
  idle(): Promise<void> {
    if (!this.running && this.items.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private async run(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      for (let head = this.items[0]; head !== undefined && !this.stopped; head = this.items[0]) {
        let outcome: WorkOutcome;
        try {
          outcome = await this.work(head);
        } catch (e) {
          this.failing = true;
          const wait = this.delay;
          this.delay = Math.min(this.delay * 2, this.options.maxRetryMs ?? this.options.retryMs);
          if (this.options.failed?.(head, e, wait)) this.forget(this.items.indexOf(head));
          else await this.pause(wait);
          continue;
        }
        this.delay = this.options.retryMs;
        this.failing = false;
        if (outcome === 'wait') await this.pause(this.options.retryMs);
        else this.forget(this.items.indexOf(head));
      }
    } finally {
      this.running = false;
      if (this.items.length === 0) for (const w of this.idleWaiters.splice(0)) w();
      for (const w of this.haltWaiters.splice(0)) w();
    }
  }

  private forget(at: number): void {
    if (at < 0) return;
    const [item] = this.items.splice(at, 1);
    const key = item === undefined ? undefined : this.options.key?.(item);
    if (key !== undefined) this.keys.delete(key);
  }

  private pause(ms: number): Promise<void> {
    return this.stopped ? Promise.resolve() : this.sleeper.sleep(ms);
  }
}
