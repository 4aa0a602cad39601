/**
 * Sends results to the results topic without ever holding up the caller: MQTT.js does not
 * read the broker's PUBACKs while a message handler runs, so awaiting a publish inside job
 * intake would deadlock, and the pipeline must not stall while the broker is away. Results
 * queue in the client's session and go out in order. Once the broker acknowledges a final
 * result the ledger notes it; final results it never acknowledged are sent again at start.
 */
import type { Clock } from '../core/clock.ts';
import type { Log } from '../core/log.ts';
import type { JobLedger } from '../pipeline/job-ledger.ts';
import { FINAL_STATUSES, type JobResult } from './job-result.ts';

export interface ResultReporterDeps {
  readonly publish: (topic: string, payload: string) => Promise<void>;
  readonly ledger: JobLedger;
  readonly clock: Clock;
  readonly log: Log;
}

/** Results republished at once at most (each waits for the broker's PUBACK). */
const REPUBLISH_WINDOW = 100;

export class ResultReporter {
  readonly stats = { sent: 0, acknowledged: 0, failed: 0 };
  private readonly log: Log;
  constructor(
    private readonly deps: ResultReporterDeps,
    private readonly topic: string,
  ) {
    this.log = deps.log.child('results');
  }

  report(result: JobResult): void {
    void this.send(result);
  }

  private send(result: JobResult): Promise<void> {
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
  republishUnreported(): number {
    if (this.republishing) return 0;
    const entries = this.deps.ledger.unreported();
    if (entries.length === 0) return 0;
    this.republishing = true;
    this.log.info(`sending ${entries.length} final result(s) again that the broker had not acknowledged`);
    void (async () => {
      try {
        for (let i = 0; i < entries.length; i += REPUBLISH_WINDOW) {
          const window = entries.slice(i, i + REPUBLISH_WINDOW).flatMap((e) => {
            const result = this.deps.ledger.resultOf(e);
            return result ? [this.send(result)] : [];
          });
          await Promise.all(window);
        }
      } finally {
        this.republishing = false;
      }
    })();
    return entries.length;
  }

  private republishing = false;
}
