/**
 * Wall time set by hand, timers on real time: only for what must run in real time — benches
 * that measure throughput (the FN's signing delay, paper moving) and integration tests of a
 * whole register against real processes whose calendar jumps days. Unit, contract and
 * service tests step a ManualClock instead (firmware/core/clock.ts).
 */
import type { Clock, TimerHandle } from '../../firmware/core/clock.ts';

export class HandSetClock implements Clock {
  constructor(private nowMs: number) {}
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
