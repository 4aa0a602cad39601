/**
 * The daily shift close at the configured local time (config `shift.closeAt`, node-cron in
 * the register's time zone). The close runs in the pipeline's queue, between jobs.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Log } from '../core/log.ts';

export interface Schedule {
  stop(): void;
}

/** "23:55" → a task at 23:55 every day in `timeZone`. */
export function dailyAt(hhmm: string, timeZone: string, run: () => Promise<void>, log: Log): Schedule {
  const [h, m] = hhmm.split(':').map(Number);
  const task: ScheduledTask = cron.schedule(`${m} ${h} * * *`, async () => {
    await run().catch((e: unknown) => log.error(`scheduled task at ${hhmm} failed: ${e instanceof Error ? e.message : String(e)}`));
  }, { timezone: timeZone, noOverlap: true });
  return { stop: () => void task.stop() };
}

/** Every `minutes` minutes. */
export function every(minutes: number, run: () => Promise<void>, log: Log): Schedule {
  const task = cron.schedule(`*/${minutes} * * * *`, async () => {
    await run().catch((e: unknown) => log.error(`periodic task failed: ${e instanceof Error ? e.message : String(e)}`));
  }, { noOverlap: true });
  return { stop: () => void task.stop() };
}
