/**
 * The register's schedules on the injected clock (DESIGN.md §3 rule 3, §4): a task every so
 * often, and a task at a local time each day (config `shift.closeAt`, in the register's
 * time zone). Each waits for its run to finish before it is armed again (no overlap), and
 * a test steps them with a ManualClock.
 */
import type { Clock, TimerHandle } from '../core/clock.ts';
import type { LocalTime } from '../core/local-time.ts';
import type { Log } from '../core/log.ts';

export interface Schedule {
  stop(): void;
}

/** Runs `run` after `delayMs()` again and again, each time after the last run is over. */
function repeat(clock: Clock, delayMs: () => number, run: () => Promise<void>, fail: (e: unknown) => void): Schedule {
  let timer: TimerHandle | undefined;
  let stopped = false;
  const arm = (): void => {
    if (stopped) return;
    timer = clock.after(delayMs(), () => {
      void run()
        .catch(fail)
        .finally(arm);
    });
  };
  arm();
  return {
    stop: () => {
      stopped = true;
      timer?.cancel();
    },
  };
}

/** Every `ms` milliseconds. */
export function every(clock: Clock, ms: number, run: () => Promise<void>, log: Log): Schedule {
  return repeat(clock, () => ms, run, (e) => log.error(`periodic task failed: ${e instanceof Error ? e.message : String(e)}`));
}

/** "23:55" → every day at 23:55 register-local time; the next time is worked out anew after each run. */
export function dailyAt(clock: Clock, localTime: LocalTime, hhmm: string, run: () => Promise<void>, log: Log): Schedule {
  const [h = 0, m = 0] = hhmm.split(':').map(Number);
  const untilNext = (): number => {
    const nowMs = clock.now();
    const local = localTime.toLocalSeconds(nowMs) + (nowMs % 1000) / 1000;
    let next = Math.floor(local / 86400) * 86400 + h * 3600 + m * 60;
    if (next <= local) next += 86400;
    return Math.round((next - local) * 1000);
  };
  return repeat(clock, untilNext, run, (e) => log.error(`scheduled task at ${hhmm} failed: ${e instanceof Error ? e.message : String(e)}`));
}
