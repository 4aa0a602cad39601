/**
 * The local API's requests (issue 13 §2): each task of a request is one job of the ledger,
 * under the id `local:<uuid>/<index>`, journaled through the SAME intake as the cloud's
 * jobs before the HTTP answer says "accepted". Nothing else is stored: a request is the run
 * of its task ids in the ledger, so it survives restarts and compaction as jobs do, and a
 * repeated uuid finds its stored results.
 *
 *   POST  every task checked first (nothing journaled when one is wrong: 400)
 *         → uuid held with the same tasks: the stored state (a POST cut by a crash is completed)
 *         → uuid held with other tasks: 409
 *         → each task in order: job → intake (journal, pipeline); query → answered now, journaled
 *   GET   each task's state (atol-results.ts)
 *   DELETE waiting tasks are taken out of the queue and end `canceled`
 *   a task that fails ends the request: its waiting successors end `interrupted`
 */
import type { Clock } from '../core/clock.ts';
import { atolDateTime, type LocalTime } from '../core/local-time.ts';
import type { Log } from '../core/log.ts';
import type { ValidationContext } from '../jobs/job.ts';
import { LOCAL_ID_PREFIX, localTaskId, type JobLedger, type JobSource, type LedgerEntry } from '../jobs/job-ledger.ts';
import { FINAL_STATUSES, RESULT_VERSION, type JobResult } from '../jobs/job-result.ts';
import { parsePayload } from '../jobs/parse-job.ts';
import { taskResult, type AtolTaskResult } from './atol-results.ts';
import { planTask, taskPath, type QueryTask, type TaskPlan } from './atol-tasks.ts';

export interface LocalRequestsDeps {
  readonly ledger: JobLedger;
  readonly intake: { handle(payload: Uint8Array, source: JobSource): Promise<JobResult | undefined> };
  readonly pipeline: { withdraw(id: string): boolean; readonly retrying: boolean; readonly prints: { readonly blocked: boolean } };
  /** The answer of a query task, now. */
  readonly query: (task: QueryTask) => Promise<Record<string, unknown>>;
  /** A result for the cloud's results topic (canceled and interrupted tasks). */
  readonly publish: (result: JobResult) => void;
  readonly clock: Clock;
  readonly localTime: LocalTime;
  readonly log: Log;
}

export interface Answer {
  readonly http: number;
  readonly body: Record<string, unknown>;
}

/** uuid: what fits the ledger's 64-character ids with the prefix and a task index. */
const UUID = /^[A-Za-z0-9._-]{1,48}$/;
export const MAX_TASKS = 50;
/** A query waits this long at most for the tasks before it in its request. */
const QUERY_WAIT_MS = 15_000;

export class LocalRequests {
  private readonly log: Log;
  readonly stats = { requests: 0, repeats: 0, refused: 0, canceled: 0, interrupted: 0 };

  constructor(
    private readonly deps: LocalRequestsDeps,
    private readonly context: ValidationContext & { readonly deviceId: string },
  ) {
    this.log = deps.log.child('local-api');
  }

  async submit(body: unknown): Promise<Answer> {
    const envelope = this.envelope(body);
    if ('http' in envelope) return envelope;
    // One POST of a uuid at a time: a client that repeats its POST before the first is
    // answered gets the first one's outcome, never a request journaled twice over.
    const before = this.inFlight.get(envelope.uuid) ?? Promise.resolve();
    const mine = before.then(() => this.take(envelope.uuid, envelope.tasks));
    const tail = mine.catch(() => undefined);
    this.inFlight.set(envelope.uuid, tail);
    void tail.then(() => {
      if (this.inFlight.get(envelope.uuid) === tail) this.inFlight.delete(envelope.uuid);
    });
    return mine;
  }

  private readonly inFlight = new Map<string, Promise<unknown>>();

  private async take(uuid: string, tasks: readonly unknown[]): Promise<Answer> {
    const plans = tasks.map((t, i) => planTask(t, `request[${i}]`, this.context));
    const problems = plans.flatMap((p, i) => (p.kind === 'invalid' ? p.problems : p.kind === 'job' ? this.precheck(p, uuid, i) : []));
    if (problems.length > 0) {
      this.stats.refused++;
      return refusal(400, `${problems.length} problem(s) in the request; nothing was queued`, { problems });
    }
    const held = this.tasksOf(uuid);
    if (held.length > 0) {
      const stored = await Promise.all(held.map((e) => this.deps.ledger.stored(e)));
      const finals = await Promise.all(stored.map((e) => this.deps.ledger.resultOf(e)));
      const same = held.length <= plans.length && stored.every((e, i) => sameTask(e, finals[i], plans[i], this.digest(plans[i], uuid, i)));
      if (!same) return refusal(409, `the uuid ${uuid} is taken by another request (${held.length} task(s)); send this one under a new uuid`);
      if (held.length === plans.length) {
        this.stats.repeats++;
        return { http: 200, body: { uuid, ...(await this.state(uuid)) } };
      }
      this.log.info(`request ${uuid}: completing it after a restart (${held.length} of ${plans.length} task(s) were journaled)`);
    }
    for (let i = held.length; i < plans.length; i++) {
      const plan = plans[i];
      const id = localTaskId(uuid, i);
      if (plan?.kind === 'job') await this.deps.intake.handle(Buffer.from(JSON.stringify({ ...plan.job, id })), 'local');
      else if (plan?.kind === 'query') {
        // In its turn: after the tasks before it in this request (closeShift, then getShiftStatus).
        await this.settled(plans.slice(0, i).flatMap((p, k) => (p.kind === 'job' ? [localTaskId(uuid, k)] : [])));
        await this.answerQuery(id, plan.task);
      }
    }
    this.stats.requests++;
    return { http: 201, body: { uuid, number: this.stats.requests, ...this.blocking() } };
  }

  /** GET: every task's state, or 404. */
  async results(uuid: string): Promise<Answer> {
    if (!UUID.test(uuid) || this.tasksOf(uuid).length === 0) return refusal(404, `no request with uuid ${uuid}`);
    return { http: 200, body: await this.state(uuid) };
  }

  /** DELETE: the request's waiting tasks end `canceled`; 409 when none was waiting. */
  async cancel(uuid: string): Promise<Answer> {
    const tasks = this.tasksOf(uuid);
    if (tasks.length === 0) return refusal(404, `no request with uuid ${uuid}`);
    const canceled = await this.end(tasks, 'canceled', 'canceled by DELETE before it started');
    if (canceled === 0) return refusal(409, 'the request is not waiting any more (started or finished): nothing was canceled');
    this.stats.canceled += canceled;
    return { http: 200, body: await this.state(uuid) };
  }

  /** Every result the register publishes: a failed task ends its request (its waiting successors are interrupted). */
  onResult(r: JobResult): void {
    for (const wake of this.waiters.splice(0)) wake();
    if (r.status !== 'fail' || r.id === null || !r.id.startsWith(LOCAL_ID_PREFIX)) return;
    if (r.error?.code === 'canceled' || r.error?.code === 'interrupted') return;
    const slash = r.id.lastIndexOf('/');
    const uuid = r.id.slice(LOCAL_ID_PREFIX.length, slash);
    const index = Number(r.id.slice(slash + 1));
    this.end(this.tasksOf(uuid).slice(index + 1), 'interrupted', `task ${index} ended in an error`).then(
      (n) => void (this.stats.interrupted += n),
      (e: unknown) => this.log.warn(`request ${uuid}: cannot interrupt the rest: ${String(e)}`),
    );
  }

  /**
   * Queue state for the POST answer: the web server's `isBlocked`, and `blockedUUID`, the
   * local request that waits for paper or for the FN (when it is a local one).
   */
  private blocking(): Record<string, unknown> {
    const { retrying, prints } = this.deps.pipeline;
    if (!retrying && !prints.blocked) return { isBlocked: false };
    const stuck = this.deps.ledger.unfinished().find((e) => e.id.startsWith(LOCAL_ID_PREFIX) && (e.status === 'fiscalized_not_printed' || e.status === 'in_progress'));
    const uuid = stuck ? stuck.id.slice(LOCAL_ID_PREFIX.length, stuck.id.lastIndexOf('/')) : undefined;
    return { isBlocked: true, ...(uuid !== undefined ? { blockedUUID: uuid } : {}) };
  }

  private async state(uuid: string): Promise<{ results: AtolTaskResult[] }> {
    const device = { fnUncertain: this.deps.pipeline.retrying };
    const tasks = this.tasksOf(uuid);
    const finals = await Promise.all(tasks.map((e) => this.deps.ledger.resultOf(e)));
    return { results: tasks.map((e, i) => taskResult(e, finals[i], device)) };
  }

  /** The request's tasks in order: the run of ids `local:<uuid>/0, /1, …` the ledger holds. */
  private tasksOf(uuid: string): LedgerEntry[] {
    const out: LedgerEntry[] = [];
    for (let i = 0; i < MAX_TASKS; i++) {
      const e = this.deps.ledger.holder(localTaskId(uuid, i));
      if (!e) break;
      out.push(e);
    }
    return out;
  }

  private envelope(body: unknown): { uuid: string; tasks: readonly unknown[] } | Answer {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return refusal(400, 'the body is a JSON object {"uuid", "request": [task, …]}');
    const b = body as Record<string, unknown>;
    const uuid = b['uuid'];
    if (typeof uuid !== 'string' || !UUID.test(uuid)) return refusal(400, 'uuid: required, 1–48 characters of A–Z a–z 0–9 . _ -', { problems: [{ path: 'uuid', message: 'required, 1–48 characters of A–Z a–z 0–9 . _ -' }] });
    const request = b['request'];
    const tasks = Array.isArray(request) ? request : request !== undefined ? [request] : [];
    if (tasks.length === 0 || tasks.length > MAX_TASKS) return refusal(400, `request: 1–${MAX_TASKS} tasks`, { problems: [{ path: 'request', message: `1–${MAX_TASKS} tasks` }] });
    return { uuid, tasks };
  }

  /** The intake's own checks, run before anything is journaled so that a request is taken whole or not at all. */
  private precheck(plan: Extract<TaskPlan, { kind: 'job' }>, uuid: string, index: number): { path: string; message: string }[] {
    const o = parsePayload(Buffer.from(JSON.stringify({ ...plan.job, id: localTaskId(uuid, index) })), this.context);
    if (o.kind !== 'invalid') return [];
    return o.problems.map((p) => ({ path: taskPath(p.path, `request[${index}]`, plan.itemIndex), message: p.message }));
  }

  private digest(plan: TaskPlan | undefined, uuid: string, index: number): string | undefined {
    if (plan?.kind !== 'job') return undefined;
    const o = parsePayload(Buffer.from(JSON.stringify({ ...plan.job, id: localTaskId(uuid, index) })), this.context);
    return o.kind === 'job' ? o.digest : undefined;
  }

  private readonly waiters: (() => void)[] = [];

  /**
   * Resolves when the tasks `ids` have done their work in the FN (fiscalized, or ended), or
   * after QUERY_WAIT_MS: a query is answered then from the state as it is (README.md).
   */
  private async settled(ids: readonly string[]): Promise<void> {
    const deadline = this.deps.clock.now() + QUERY_WAIT_MS;
    const pending = (): boolean => ids.some((id) => {
      const s = this.deps.ledger.get(id)?.status;
      return s === 'accepted' || s === 'in_progress';
    });
    while (pending() && this.deps.clock.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = this.deps.clock.after(200, () => resolve());
        this.waiters.push(() => {
          timer.cancel();
          resolve();
        });
      });
    }
  }

  private async answerQuery(id: string, task: QueryTask): Promise<void> {
    let fields: Partial<JobResult> & Pick<JobResult, 'status'>;
    try {
      fields = { status: 'done', local_result: await this.deps.query(task) };
    } catch (e) {
      fields = { status: 'fail', error: { code: 'fn_state', text: `${task}: ${e instanceof Error ? e.message : String(e)}`, recommendation: 'fix_device' } };
    }
    const at = this.deps.clock.now();
    await this.deps.ledger.record({ k: 'finished', id, at, result: this.result(id, task, fields) });
    // A query is the retail program's business: the cloud's results topic does not get it.
    await this.deps.ledger.record({ k: 'reported', id, at });
  }

  /**
   * Ends the tasks that have not started: all taken out of the pipeline's queue at once (no
   * await between, so the pipeline cannot start one of them meanwhile), then each final
   * result journaled and sent. Resolves with how many were ended.
   */
  private async end(entries: readonly LedgerEntry[], code: 'canceled' | 'interrupted', text: string): Promise<number> {
    const waiting = entries.filter((e) => e.status === 'accepted' && e.job !== undefined && this.deps.pipeline.withdraw(e.id));
    for (const e of waiting) {
      const result = this.result(e.id, e.type, { status: 'fail', error: { code, text, recommendation: 'fix_data' } });
      await this.deps.ledger.record({ k: 'finished', id: e.id, at: this.deps.clock.now(), result });
      this.deps.publish(result);
    }
    return waiting.length;
  }

  private result(id: string, type: string | undefined, fields: Partial<JobResult> & Pick<JobResult, 'status'>): JobResult {
    return { version: RESULT_VERSION, id, ...(type !== undefined ? { type } : {}), device_id: this.context.deviceId, timestamp: atolDateTime(this.deps.localTime.toLocalSeconds(this.deps.clock.now())), ...fields };
  }
}

/** A held task matches a planned one: a job by its content digest, a query by its name. */
function sameTask(held: LedgerEntry, final: JobResult | undefined, plan: TaskPlan | undefined, digest: string | undefined): boolean {
  if (plan?.kind === 'job') return held.digest !== undefined && held.digest === digest;
  if (plan?.kind === 'query') return held.job === undefined && final !== undefined && FINAL_STATUSES.has(final.status) && final.type === plan.task;
  return false;
}

function refusal(http: number, description: string, extra: Record<string, unknown> = {}): Answer {
  return { http, body: { error: { code: http, description }, ...extra } };
}
