/**
 * The tests' waits, in one place (issue 9 §6):
 * - `pollUntil`: the one "wait until" on real time, for what runs in real time — other
 *   processes, sockets and ptys (integration/, and the helpers that start mosquitto or socat).
 *   It checks `ready` every `intervalMs` and throws when it is still not true after
 *   `timeoutMs`, so a wait that runs out fails the test instead of letting it go on. `wake`
 *   lets an event (a message arrived) cut the interval short.
 * - `stepUntil`: the same on a stepped clock (ManualClock) for unit, contract and service
 *   tests: it moves the clock on by `stepMs` until `ready`, and throws after `maxMs` of
 *   stepped time. No real time is waited for.
 * - `settle`: lets promise chains and the memory line's deliveries run; no time passes.
 */
import type { ManualClock } from '../../firmware/core/clock.ts';

export interface PollOptions {
  readonly timeoutMs: number;
  /** What is awaited, for the error: "final results of 60 jobs"; a function is read only when the wait fails. */
  readonly what: string | (() => string);
  readonly intervalMs?: number;
  /** Registers a callback that ends the current interval early. */
  readonly wake?: (now: () => void) => void;
}

export async function pollUntil(ready: () => boolean | Promise<boolean>, options: PollOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 50;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${typeof options.what === 'function' ? options.what() : options.what}`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, interval);
      options.wake?.(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/** Lets pending promise callbacks and I/O callbacks (memory ports deliver on setImmediate) run; no time passes. */
export async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}

export interface StepOptions {
  /** How far the clock moves between two looks, ms. */
  readonly stepMs: number;
  /** Stepped time after which the wait fails, ms. */
  readonly maxMs: number;
  readonly what: string | (() => string);
}

/** Steps `clock` until `ready`; resolves with the stepped time it took, in ms. */
export async function stepUntil(clock: ManualClock, ready: () => boolean | Promise<boolean>, options: StepOptions): Promise<number> {
  let stepped = 0;
  for (;;) {
    await settle();
    if (await ready()) return stepped;
    if (stepped >= options.maxMs) throw new Error(`still not true after ${options.maxMs} ms of stepped time: ${typeof options.what === 'function' ? options.what() : options.what}`);
    clock.advance(options.stepMs);
    stepped += options.stepMs;
  }
}

/** Steps `clock` until `work` settles; resolves or rejects as `work` does. */
export async function stepThrough<T>(clock: ManualClock, work: Promise<T>, options: StepOptions): Promise<T> {
  let done = false;
  const tracked = work.finally(() => void (done = true));
  tracked.catch(() => undefined); // the rejection is the caller's, below
  await stepUntil(clock, () => done, options);
  return tracked;
}

/**
 * For suites where any await may wait on a timeout (the FN driver's fault cases): while on,
 * each time the event loop has had `settle()`'s turns and a timer is pending, the clock moves
 * on by `stepMs`. Time still moves only in the test's steps, never with real time; a timeout
 * of N ms needs N / stepMs quiet spells to run out, so an answer on the memory line, a few
 * turns away, always comes first. Returns the switch that stops it.
 */
export function autoStep(clock: ManualClock, stepMs: number): () => void {
  let on = true;
  void (async () => {
    while (on) {
      await settle();
      if (on && clock.pending > 0) clock.advance(stepMs);
    }
  })();
  return () => void (on = false);
}
