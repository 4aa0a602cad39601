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

/** A clock whose wall time is set by hand; timers still run on real time so I/O can proceed. */
export class ManualClock implements Clock {
  private nowMs: number;
  constructor(startMs: number) {
    this.nowMs = startMs;
  }
  now(): number {
    return this.nowMs;
  }
  set(ms: number): void {
    this.nowMs = ms;
  }
  advance(ms: number): void {
    this.nowMs += ms;
  }
  after(ms: number, fn: () => void): TimerHandle {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  }
}
