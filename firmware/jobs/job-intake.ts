/**
 * The edge of the register: a payload from the jobs topic becomes a journaled job, or a
 * fail result that says what is wrong with it, before the broker gets its PUBACK.
 *
 *   parse + validate (every problem, with its path)
 *     ├─ known id ........... the stored result again (QoS 1 redelivery, cloud retry, restart)
 *     ├─ rejected ........... journal "rejected" → fail result (fix_data)
 *     └─ accepted ........... journal "accepted" → result "accepted" → pipeline
 *
 * Resolves once the outcome is durable; MQTT sends the PUBACK then (mqtt-link.ts).
 */
import type { Clock } from '../core/clock.ts';
import { atolDateTime, type LocalTime } from '../core/local-time.ts';
import type { Log } from '../core/log.ts';
import type { JobLedger, LedgerEntry } from './job-ledger.ts';
import type { ValidationContext } from './job.ts';
import { fiscalPayload, RESULT_VERSION, type JobResult } from './job-result.ts';
import { parseJobPayload } from './parse-job.ts';

export interface JobIntakeDeps {
  readonly ledger: JobLedger;
  readonly clock: Clock;
  readonly localTime: LocalTime;
  readonly log: Log;
  readonly publish: (result: JobResult) => void;
  /** Hands an accepted job to the pipeline. */
  readonly submit: (id: string) => void;
}

export class JobIntake {
  private readonly log: Log;
  readonly stats = { received: 0, accepted: 0, rejected: 0, duplicates: 0 };

  constructor(
    private readonly deps: JobIntakeDeps,
    private readonly context: ValidationContext & { readonly deviceId: string },
  ) {
    this.log = deps.log.child('intake');
  }

  async handle(payload: Uint8Array): Promise<void> {
    this.stats.received++;
    const outcome = parseJobPayload(payload, this.context);
    const id = outcome.ok ? outcome.job.id : outcome.id;
    const known = id !== undefined ? this.deps.ledger.get(id) : undefined;
    if (known) {
      this.stats.duplicates++;
      this.log.info(`job ${known.id} again (${known.status}): answering with what it has`);
      this.deps.publish(this.deps.ledger.resultOf(known) ?? this.current(known));
      return;
    }
    if (!outcome.ok) {
      this.stats.rejected++;
      // A job right by the contract that this register cannot do is the register's to fix (issue 10 §1).
      const unsupported = outcome.problems.some((p) => p.kind === 'unsupported');
      const result = this.result(outcome.id ?? null, {
        status: 'fail',
        error: unsupported
          ? { code: 'unsupported', text: `this register cannot do this job: ${outcome.problems.filter((p) => p.kind === 'unsupported').map((p) => p.message).join('; ')}`, recommendation: 'fix_device', problems: outcome.problems }
          : { code: 'invalid_job', text: `${outcome.problems.length} problem(s) in the job`, recommendation: 'fix_data', problems: outcome.problems },
      });
      this.log.warn(`job ${outcome.id ?? '(no id)'} rejected: ${outcome.problems.map((p) => `${p.path || '(payload)'}: ${p.message}`).join('; ')}`);
      if (outcome.id !== undefined) await this.deps.ledger.record({ k: 'rejected', id: outcome.id, at: this.deps.clock.now(), result });
      this.deps.publish(result);
      return;
    }
    const job = outcome.job;
    await this.deps.ledger.record({ k: 'accepted', id: job.id, at: this.deps.clock.now(), job });
    this.stats.accepted++;
    const warnings = 'warnings' in job && job.warnings?.length ? { warnings: job.warnings } : {};
    this.deps.publish(this.result(job.id, { status: 'accepted', type: job.type, ...warnings }));
    this.deps.submit(job.id);
  }

  /** What an unfinished job is now: fiscalized (with its attributes), in the FN, or queued. */
  private current(entry: LedgerEntry): JobResult {
    if (entry.fiscal) return this.result(entry.id, { status: 'fiscalized_not_printed', payload: fiscalPayload(entry.fiscal), printed: false });
    return this.result(entry.id, { status: entry.status === 'in_progress' ? 'in_progress' : 'accepted' });
  }

  private result(id: string | null, fields: Partial<JobResult> & Pick<JobResult, 'status'>): JobResult {
    return { version: RESULT_VERSION, id, device_id: this.context.deviceId, timestamp: atolDateTime(this.deps.localTime.toLocalSeconds(this.deps.clock.now())), ...fields };
  }
}
