/**
 * Tells the service manager the register is alive, and only while it is (issue 14 §1).
 *
 * READY=1 once the register takes jobs; then every half watchdog period (sd_watchdog_enabled(3))
 * it asks its health check and sends WATCHDOG=1 only on a healthy answer. A hung main loop sends
 * nothing because the timer never fires; an FN that stops answering sends STATUS=… instead, so
 * `systemctl status kassa` says why, and systemd restarts the service when the period runs out
 * (WatchdogSec= in deploy/kassa.service).
 */
import type { ServiceManager } from '../../drivers/systemd/sd-notify.ts';
import type { Clock, TimerHandle } from '../core/clock.ts';
import type { Log } from '../core/log.ts';

/** What the health check found: healthy, or the reason it is not, in words for STATUS=. */
export type HealthVerdict = { readonly healthy: true; readonly status: string } | { readonly healthy: false; readonly reason: string };

export interface ServiceWatchdogDeps {
  readonly manager: ServiceManager;
  readonly clock: Clock;
  readonly log: Log;
  /** Asked once a tick; an answer that takes longer than the tick counts as unhealthy. */
  readonly health: () => Promise<HealthVerdict>;
}

export class ServiceWatchdog {
  private timer: TimerHandle | undefined;
  private running = false;
  private readonly stats = { pings: 0, withheld: 0, notifyFailures: 0 };
  private lastStatus = '';

  constructor(private readonly deps: ServiceWatchdogDeps) {}

  /** Half the manager's watchdog period, in ms; undefined when it keeps no watchdog on us. */
  get tickMs(): number | undefined {
    const period = this.deps.manager.watchdogMs;
    return period === undefined ? undefined : Math.max(1, Math.floor(period / 2));
  }

  /** Sends READY=1 and starts the pings. Call once the register takes jobs. */
  async start(): Promise<void> {
    if (this.running || !this.deps.manager.present) return;
    this.running = true;
    await this.send({ READY: '1', STATUS: 'taking jobs' });
    this.schedule();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
    await this.send({ STOPPING: '1', STATUS: 'stopping' });
  }

  describe(): Record<string, unknown> {
    return { serviceManager: this.deps.manager.present, watchdogMs: this.deps.manager.watchdogMs ?? null, status: this.lastStatus, ...this.stats };
  }

  private schedule(): void {
    const tick = this.tickMs;
    if (tick === undefined || !this.running) return;
    this.timer = this.deps.clock.after(tick, () => void this.tick(tick));
  }

  private async tick(tickMs: number): Promise<void> {
    const verdict = await this.verdict(tickMs);
    if (!this.running) return;
    if (verdict.healthy) {
      this.stats.pings++;
      await this.send(verdict.status === this.lastStatus ? { WATCHDOG: '1' } : { WATCHDOG: '1', STATUS: verdict.status });
      this.lastStatus = verdict.status;
    } else {
      this.stats.withheld++;
      const status = `unhealthy: ${verdict.reason}`;
      if (status !== this.lastStatus) this.deps.log.warn(`watchdog ping withheld: ${verdict.reason}`);
      await this.send({ STATUS: status });
      this.lastStatus = status;
    }
    this.schedule();
  }

  private verdict(tickMs: number): Promise<HealthVerdict> {
    return new Promise((resolve) => {
      const late = this.deps.clock.after(tickMs, () => resolve({ healthy: false, reason: `health check did not answer within ${tickMs} ms` }));
      this.deps.health().then(
        (v) => {
          late.cancel();
          resolve(v);
        },
        (e: unknown) => {
          late.cancel();
          resolve({ healthy: false, reason: e instanceof Error ? e.message : String(e) });
        },
      );
    });
  }

  private async send(fields: Record<string, string>): Promise<void> {
    try {
      await this.deps.manager.notify(fields);
    } catch (e) {
      this.stats.notifyFailures++;
      this.deps.log.warn(`systemd-notify failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
