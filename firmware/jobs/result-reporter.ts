/**
 * Sends results to the results topic without ever holding up the caller: MQTT.js does not
 * read the broker's PUBACKs while a message handler runs, so awaiting a publish inside job
 * intake would deadlock, and the pipeline must not stall while the broker is away. Results
 * queue in the client's session and go out in order. Once the broker acknowledges a final
 * result the ledger notes it; final results it never acknowledged are sent again on every
 * (re)connect, and by a sweep every `sweepMs` while connected: a publish whose PUBACK got
 * lost in a reconnect cannot leave a result unsent for good. A result the broker did
 * acknowledge and then lost (mosquitto 2.0.11 stopped right after the PUBACK, issue 11) is
 * beyond the register's sight: the cloud asks for it with a report request (job-intake.ts).
 * Results are idempotent for the cloud: it keys on the job id.
 */
import type { Clock, TimerHandle } from '../core/clock.ts';
import type { Log } from '../core/log.ts';
import { sourceOf, type JobLedger } from './job-ledger.ts';
import { FINAL_STATUSES, withEcho, type JobResult } from './job-result.ts';

export interface ResultReporterDeps {
  readonly publish: (topic: string, payload: string) => Promise<void>;
  /** The link is up: the sweep does not pile publishes into an offline queue. */
  readonly connected: () => boolean;
  readonly ledger: JobLedger;
  readonly clock: Clock;
  readonly log: Log;
}

/** Results republished at once at most (each waits for the broker's PUBACK). */
const REPUBLISH_WINDOW = 100;

export interface ResultReporterOptions {
  /** How often to look for final results the broker has not acknowledged, ms. */
  readonly sweepMs: number;
  /** A window of republished results waits at most this long for its PUBACKs, ms. */
  readonly windowTimeoutMs: number;
}

export const DEFAULT_RESULT_REPORTER_OPTIONS: ResultReporterOptions = { sweepMs: 20_000, windowTimeoutMs: 30_000 };

export class ResultReporter {
  readonly stats = { sent: 0, acknowledged: 0, failed: 0 };
  private readonly log: Log;
  private sweepTimer: TimerHandle | undefined;
  constructor(
    private readonly deps: ResultReporterDeps,
    private readonly topic: string,
    private readonly options: ResultReporterOptions = DEFAULT_RESULT_REPORTER_OPTIONS,
  ) {
    this.log = deps.log.child('results');
  }

  /** Starts the sweep: final results unacknowledged for a whole sweep period are sent again. */
  start(): void {
    const tick = (): void => {
      if (this.deps.connected()) this.republishUnreported(this.options.sweepMs);
      this.sweepTimer = this.deps.clock.after(this.options.sweepMs, tick);
    };
    this.sweepTimer = this.deps.clock.after(this.options.sweepMs, tick);
  }

  stop(): void {
    this.sweepTimer?.cancel();
  }

  /**
   * Sends a result with its job's ATOL echoes (uuid, external_id, callback_url) and ATOL
   * status. A job in work or just finished has them in memory; an older one's are read back
   * from the journal, and the results behind it wait their turn, so the order stays.
   */
  report(result: JobResult): void {
    const known = result.id !== null && this.deps.ledger.holder(result.id);
    const echo = known ? this.deps.ledger.echoOf(known.id) : undefined;
    if (this.reading === undefined && (!known || echo)) {
      void this.send(withEcho(result, echo?.echo, echo?.type));
      return;
    }
    const read = (this.reading ?? Promise.resolve()).then(async () => {
      const full = known ? await this.deps.ledger.stored(known).catch(() => known) : undefined;
      void this.send(withEcho(result, full?.echo, full?.type));
    });
    this.reading = read;
    void read.finally(() => {
      if (this.reading === read) this.reading = undefined;
    });
  }

  /** Reports waiting for a read of echoes: later ones queue behind (see report). */
  private reading: Promise<void> | undefined;

  private send(given: JobResult): Promise<void> {
    // Issue 13 §2: the cloud sees the local API's jobs too, marked as such.
    const result: JobResult = given.id !== null && sourceOf(given.id) === 'local' ? { ...given, source: 'local' } : given;
    this.stats.sent++;
    return this.deps.publish(this.topic, JSON.stringify(result)).then(
      () => {
        this.stats.acknowledged++;
        const entry = result.id !== null ? this.deps.ledger.get(result.id) : undefined;
        if (entry && FINAL_STATUSES.has(result.status) && entry.finishedAt !== undefined && !entry.reported) {
          this.deps.ledger.record({ k: 'reported', id: entry.id, at: this.deps.clock.now() }).catch((e: unknown) => this.log.warn(`cannot note result ${entry.id} as reported: ${String(e)}`));
        }
      },
      (e: unknown) => {
        this.stats.failed++;
        this.log.warn(`result ${result.id ?? '(no id)'} not published: ${e instanceof Error ? e.message : String(e)}`);
      },
    );
  }

  /**
   * Final results the broker never acknowledged, e.g. when the register died right after a
   * job. Sent in windows of REPUBLISH_WINDOW, so a long backlog does not become one burst of
   * pending publishes in memory.
   */
  republishUnreported(olderThanMs = 0): number {
    if (this.republishing) return 0;
    const cutoff = this.deps.clock.now() - olderThanMs;
    const entries = this.deps.ledger.unreported().filter((e) => (e.finishedAt ?? 0) <= cutoff);
    if (entries.length === 0) return 0;
    this.republishing = true;
    this.log.info(`sending ${entries.length} final result(s) again that the broker had not acknowledged`);
    void (async () => {
      try {
        for (let i = 0; i < entries.length; i += REPUBLISH_WINDOW) {
          const window: Promise<void>[] = [];
          for (const e of entries.slice(i, i + REPUBLISH_WINDOW)) {
            const result = await this.deps.ledger.resultOf(e).catch((err: unknown) => void this.log.warn(`result ${e.id} not read back: ${String(err)}`));
            if (result) window.push(this.send(result));
          }
          // A PUBACK lost with its connection must not hold every later republish up.
          await Promise.race([Promise.all(window), new Promise((r) => this.deps.clock.after(this.options.windowTimeoutMs, () => r(undefined)))]);
        }
      } finally {
        this.republishing = false;
      }
    })();
    return entries.length;
  }

  private republishing = false;
}
