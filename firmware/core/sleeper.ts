/**
 * A pause on the injected clock that can be ended early: the work queue's retry wait and the
 * OFD sender's backoff both sleep this way, so a test steps them with the clock and a
 * `wake()` (a new document, "continue printing", stop) cuts them short.
 */
import type { Clock, TimerHandle } from './clock.ts';

export class Sleeper {
  private wakeUp: (() => void) | undefined;

  constructor(private readonly clock: Clock) {}

  /** Resolves after `ms`, or at the next wake(). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: TimerHandle | undefined;
      const done = (): void => {
        timer?.cancel();
        if (this.wakeUp === done) this.wakeUp = undefined;
        resolve();
      };
      this.wakeUp = done;
      timer = this.clock.after(ms, done);
    });
  }

  /** True while a sleep is in progress. */
  get sleeping(): boolean {
    return this.wakeUp !== undefined;
  }

  /** Ends the sleep in progress, if any. */
  wake(): void {
    this.wakeUp?.();
  }
}
