/**
 * Status as a service (issue 3; issue 5): the register's health gathered into one object
 * (device-status.ts), published retained on the status topic — on activity (a message, a
 * job's end) at most once a second, the last change of a busy second one second after the
 * one before, and at once on (re)connection — and "offline" when the register stops.
 */
import type { FnFace } from '../../drivers/fn/fn-face.ts';
import type { Listeners } from '../../drivers/port.ts';
import type { Clock, TimerHandle } from '../core/clock.ts';
import type { Service } from '../core/service.ts';
import type { DeviceConfig } from '../config/device-config.ts';
import type { JobLedger } from '../jobs/job-ledger.ts';
import { ofdHealth } from '../ofd/ofd-health.ts';
import type { ShiftKeeper } from '../pipeline/shift-keeper.ts';
import { collectStatus, type DeviceStatus, type FirmwareStatus } from './device-status.ts';

/** What status needs of the cloud link (jobs-wiring.ts JobsWing): when to publish, and where. */
export interface StatusLink {
  readonly activity: Listeners<[{ readonly connected: boolean }]>;
  readonly connected: boolean;
  readonly topics: { readonly status: string };
  publish(topic: string, payload: string, options?: { retain?: boolean }): Promise<void>;
}

export interface StatusWiringDeps {
  readonly fn: FnFace;
  readonly shifts: ShiftKeeper;
  readonly ledger: JobLedger;
  readonly jobs: StatusLink;
  readonly clock: Clock;
  /** Register-local seconds now. */
  readonly now: () => number;
  /** Jobs waiting in the pipeline. */
  readonly queued: () => number;
  /** Every service's describe(), by name: the status topic's links. */
  readonly links: () => Record<string, unknown>;
  /** Registration state, FN expiry and resources, config version (issue 12 §3). */
  readonly provisioning?: () => Promise<Record<string, unknown>>;
  /** The running release and any update under way (issue 14). */
  readonly firmware: () => FirmwareStatus;
}

export class StatusWing implements Service {
  readonly name = 'status';
  private lastPublishedAt = 0;
  /** The publish that follows a busy second, so that its last change is not left unsaid. */
  private trailing: TimerHandle | undefined;
  private unsubscribe: (() => void) | undefined;
  /** Set at stop: a status still being gathered is not published after "offline". */
  private stopped = false;
  readonly stats = { published: 0, failures: 0 };

  constructor(
    private readonly config: DeviceConfig,
    private readonly deps: StatusWiringDeps,
  ) {}

  start(): void {
    this.unsubscribe = this.deps.jobs.activity.add(({ connected }) => this.publishSoon(connected));
    // The link may have connected before this service started: say "online" now.
    if (this.deps.jobs.connected) this.publishSoon(true);
  }

  private publishSoon(force: boolean): void {
    const wait = this.lastPublishedAt + 1000 - this.deps.clock.now();
    if (force || wait <= 0) {
      void this.publish(force).catch(() => this.stats.failures++);
      return;
    }
    // Looked at again when it fires: a forced publish since then moves it a second on.
    this.trailing ??= this.deps.clock.after(wait, () => {
      this.trailing = undefined;
      if (!this.stopped) this.publishSoon(false);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.trailing?.cancel();
    this.trailing = undefined;
    const { jobs } = this.deps;
    if (jobs.connected) await jobs.publish(jobs.topics.status, JSON.stringify({ version: 1, state: 'offline', device_id: this.config.deviceId }), { retain: true }).catch(() => undefined);
  }

  status(): Promise<DeviceStatus> {
    const { fn, shifts, ledger, now } = this.deps;
    const provisioning = this.deps.provisioning;
    return collectStatus({ deviceId: this.config.deviceId, fn, shifts, ledger, queued: this.deps.queued, now, ofd: () => ofdHealth(fn, now()), links: this.deps.links, firmware: this.deps.firmware, ...(provisioning ? { provisioning } : {}) });
  }

  /**
   * Publishes the retained status; unless `force`d, at most once a second: a burst of jobs
   * (or of duplicates) must not become a burst of FN reads.
   */
  async publish(force = false): Promise<void> {
    const { jobs, clock } = this.deps;
    if (!jobs.connected || (!force && clock.now() - this.lastPublishedAt < 1000)) return;
    this.lastPublishedAt = clock.now();
    const status = JSON.stringify(await this.status());
    if (this.stopped) return;
    await jobs.publish(jobs.topics.status, status, { retain: true });
    this.stats.published++;
  }

  describe(): Record<string, unknown> {
    return { ...this.stats };
  }
}
