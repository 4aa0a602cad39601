/**
 * Time, injected (DESIGN.md §3 rule 4): wall time for documents and timers for timeouts.
 * Tests pass a ManualClock; the register passes systemClock().
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Calls `fn` after `ms` milliseconds unless cancelled. */
  after(ms: number, fn: () => void): TimerHandle;
}

export function systemClock(): Clock {
  return {
    now: () => Date.now(),
    after(ms, fn) {
      const t = setTimeout(fn, ms);
      return { cancel: () => clearTimeout(t) };
    },
  };
}

/**
 * A clock a test steps (DESIGN.md §4): its wall time moves only by `set()` and `advance()`,
 * and its timers fire then, in the order they are due, each seeing `now()` at its due time.
 * Nothing runs on real time, so a test of timeouts, retries and schedules never sleeps.
 */
export class ManualClock implements Clock {
  private nowMs: number;
  private timers: { at: number; seq: number; fn: () => void }[] = [];
  private seq = 0;

  constructor(startMs: number) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  after(ms: number, fn: () => void): TimerHandle {
    const timer = { at: this.nowMs + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return { cancel: () => void (this.timers = this.timers.filter((t) => t !== timer)) };
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves the wall time to `ms`; forward, the timers due on the way fire. */
  set(ms: number): void {
    if (ms <= this.nowMs) {
      this.nowMs = ms;
      return;
    }
    this.advance(ms - this.nowMs);
  }

  /** Moves the wall time forward by `ms`, firing every timer due by then (timers they set included). */
  advance(ms: number): void {
    const until = this.nowMs + ms;
    for (;;) {
      const next = this.timers.reduce<(typeof this.timers)[number] | undefined>((a, t) => (t.at <= until && (!a || t.at < a.at || (t.at === a.at && t.seq < a.seq)) ? t : a), undefined);
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.nowMs = Math.max(this.nowMs, next.at);
      next.fn();
    }
    this.nowMs = until;
  }
}
