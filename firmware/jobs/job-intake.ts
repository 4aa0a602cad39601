/**
 * The edge of the register: a payload from the jobs topic becomes a journaled job, or a
 * fail result that says what is wrong with it, before the broker gets its PUBACK.
 *
 *   parse + validate (every problem, with its path)
 *     ├─ report request ..... each named job's stored result, or "unknown" (nothing journaled)
 *     ├─ id held, same content  the stored result again (QoS 1 redelivery, cloud retry, restart)
 *     ├─ id held, other content fail id_conflict with the holder's summary (nothing journaled)
 *     ├─ refused ............ fail result (fix_data); the id stays free for the fixed job
 *     └─ accepted ........... journal "accepted" → result "accepted" → pipeline
 *
 * Resolves once the outcome is durable; MQTT sends the PUBACK then (mqtt-link.ts).
 * Issue 11 §3: a refusal does not use up its id, as ATOL Online lets a cloud resend a
 * refused receipt with the same external_id after fixing it.
 */
import type { Clock } from '../core/clock.ts';
import { atolDateTime, type LocalTime } from '../core/local-time.ts';
import type { Log } from '../core/log.ts';
import type { Echo } from './job-form-kit.ts';
import { sourceOf, type JobLedger, type JobSource, type LedgerEntry } from './job-ledger.ts';
import type { ValidationContext } from './job.ts';
import { fiscalPayload, RESULT_VERSION, withEcho, type JobResult, type StoredJobSummary } from './job-result.ts';
import { parsePayload } from './parse-job.ts';

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
  readonly stats = { received: 0, accepted: 0, rejected: 0, duplicates: 0, conflicts: 0, reports: 0 };

  constructor(
    private readonly deps: JobIntakeDeps,
    private readonly context: ValidationContext & { readonly deviceId: string },
  ) {
    this.log = deps.log.child('intake');
  }

  /**
   * Resolves with the answer it published (the stored result for a repeat), once the
   * outcome is durable. `source`: who sent it; each source has its own id space (issue 13 §2).
   */
  async handle(payload: Uint8Array, source: JobSource = 'cloud'): Promise<JobResult | undefined> {
    this.stats.received++;
    const outcome = foreignId(parsePayload(payload, this.context), source);
    if (outcome.kind === 'report') {
      await this.report(outcome.id, outcome.ids);
      return undefined;
    }
    const id = outcome.kind === 'job' ? outcome.job.id : outcome.id;
    const held = id !== undefined && sourceOf(id) === source ? this.deps.ledger.holder(id) : undefined;
    // A finished job's digest and result are on disk (job-ledger.ts): read back only for a repeat.
    const holder = held && (await this.deps.ledger.stored(held));
    if (holder && outcome.kind === 'job' && (holder.digest === undefined || holder.digest === outcome.digest)) {
      this.stats.duplicates++;
      this.log.info(`job ${holder.id} again (${holder.status}): answering with what it has`);
      const stored = await this.stored(holder);
      this.deps.publish(stored);
      return stored;
    }
    if (holder) {
      // Another job under a held id: its own answer, never the holder's result or problems.
      this.stats.conflicts++;
      const type = outcome.kind === 'job' ? outcome.job.type : outcome.type;
      this.log.warn(`job ${holder.id}: a different job under an id already taken (${holder.type ?? 'job'}, ${holder.status})`);
      this.deps.publish(
        this.result(holder.id, outcome.echo, type, {
          status: 'fail',
          error: {
            code: 'id_conflict',
            text: `the id ${holder.id} is taken by another job (${holder.type ?? 'a job'}, ${holder.status}); send this job under a new id`,
            recommendation: 'fix_data',
            stored_job: await this.summary(holder),
          },
        }),
      );
      return;
    }
    if (outcome.kind === 'invalid') {
      this.stats.rejected++;
      // A job right by the contract that this register cannot do is the register's to fix (issue 10 §1).
      const unsupported = outcome.problems.some((p) => p.kind === 'unsupported');
      const result = this.result(outcome.id ?? null, outcome.echo, outcome.type, {
        status: 'fail',
        error: unsupported
          ? { code: 'unsupported', text: `this register cannot do this job: ${outcome.problems.filter((p) => p.kind === 'unsupported').map((p) => p.message).join('; ')}`, recommendation: 'fix_device', problems: outcome.problems }
          : { code: 'invalid_job', text: `${outcome.problems.length} problem(s) in the job`, recommendation: 'fix_data', problems: outcome.problems },
      });
      this.log.warn(`job ${outcome.id ?? '(no id)'} rejected: ${outcome.problems.map((p) => `${p.path || '(payload)'}: ${p.message}`).join('; ')}`);
      this.deps.publish(result);
      return result;
    }
    const job = outcome.job;
    await this.deps.ledger.record({ k: 'accepted', id: job.id, at: this.deps.clock.now(), job, digest: outcome.digest, ...(outcome.echo ? { echo: outcome.echo } : {}) });
    this.stats.accepted++;
    const warnings = 'warnings' in job && job.warnings?.length ? { warnings: job.warnings } : {};
    const accepted = this.result(job.id, outcome.echo, job.type, { status: 'accepted', ...warnings });
    this.deps.publish(accepted);
    this.deps.submit(job.id);
    return accepted;
  }

  /**
   * A report request (issue 11 §3, ATOL Online's `report`): each named job's stored result
   * or current state, or `unknown`; then the request's own `done`. Read-only.
   */
  private async report(requestId: string, ids: readonly string[]): Promise<void> {
    this.stats.reports++;
    let unknown = 0;
    for (const id of ids) {
      const holder = this.deps.ledger.holder(id);
      if (holder) this.deps.publish(await this.stored(holder));
      else {
        unknown++;
        this.deps.publish(this.result(id, undefined, undefined, { status: 'unknown', message: 'the register has no job with this id (never accepted, refused, or forgotten after journal.keepDays): send the job' }));
      }
    }
    // A request under a job's id gets no result of its own: the cloud would read it as the job's.
    if (this.deps.ledger.holder(requestId)) this.log.warn(`report request ${requestId}: the id is a job's; answered without a result of its own`);
    else this.deps.publish(this.result(requestId, undefined, 'report', { status: 'done', message: `${ids.length - unknown} result(s) sent again, ${unknown} unknown` }));
  }

  /** The final result of a held job, or what it is now: fiscalized (with its attributes), in the FN, or queued. */
  private async stored(entry: LedgerEntry): Promise<JobResult> {
    const final = await this.deps.ledger.resultOf(entry);
    if (final) return final;
    if (entry.fiscal) return this.result(entry.id, entry.echo, entry.type, { status: 'fiscalized_not_printed', payload: fiscalPayload(entry.fiscal), printed: false });
    return this.result(entry.id, entry.echo, entry.type, { status: entry.status === 'in_progress' ? 'in_progress' : 'accepted' });
  }

  private async summary(e: LedgerEntry): Promise<StoredJobSummary> {
    const final = await this.deps.ledger.resultOf(e);
    const fd = final?.payload?.fiscal_document_number ?? e.fiscal?.fd;
    const total = final?.payload?.total ?? (e.fiscal?.totalKopecks !== undefined ? e.fiscal.totalKopecks / 100 : undefined);
    return {
      id: e.id,
      ...(e.type !== undefined ? { type: e.type } : {}),
      status: e.status,
      accepted_at: atolDateTime(this.deps.localTime.toLocalSeconds(e.acceptedAt)),
      ...(fd !== undefined ? { fiscal_document_number: fd } : {}),
      ...(total !== undefined ? { total } : {}),
    };
  }

  private result(id: string | null, echo: Echo | undefined, type: string | undefined, fields: Partial<JobResult> & Pick<JobResult, 'status'>): JobResult {
    const base: JobResult = { version: RESULT_VERSION, id, device_id: this.context.deviceId, timestamp: atolDateTime(this.deps.localTime.toLocalSeconds(this.deps.clock.now())), ...fields };
    return withEcho(base, echo, type);
  }
}

/** A cloud job may not take an id of the local API's space (issue 13 §2): refused like any bad id. */
function foreignId(outcome: ReturnType<typeof parsePayload>, source: JobSource): ReturnType<typeof parsePayload> {
  if (outcome.kind !== 'job' || sourceOf(outcome.job.id) === source) return outcome;
  const message = source === 'cloud' ? 'ids starting with "local:" belong to the register\'s local API' : 'a local request must use the local id space';
  return { kind: 'invalid', id: outcome.job.id, type: outcome.job.type, echo: outcome.echo, problems: [{ path: 'id', message }] };
}
