/**
 * The cloud's side of the job contract, for tests: publishes jobs to a register's jobs topic
 * and collects every result, keyed by job id. A persistent session, like a real cloud.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { FINAL_STATUSES, type JobResult } from '../../firmware/jobs/job-result.ts';
import { topicsFor, type Topics } from '../../firmware/jobs/topics.ts';
import { pollUntil } from './poll.ts';

export interface Cloud {
  readonly topics: Topics;
  readonly results: Map<string | null, JobResult[]>;
  publish(payload: string | Uint8Array): Promise<void>;
  /** Resolves with the first final result of the job. */
  final(id: string, timeoutMs?: number): Promise<JobResult>;
  /**
   * Resolves once every id has a final result. With `askEveryMs`, acts as the contract tells a
   * cloud to (firmware/jobs/README.md "Asking again"): every `askEveryMs` it sends a report
   * request for the ids still without a final result, so a result the broker acknowledged
   * and then lost is asked for again.
   */
  allFinal(ids: readonly string[], timeoutMs?: number, options?: { askEveryMs?: number }): Promise<void>;
  /** Report requests sent by allFinal. */
  readonly asked: number;
  /** Resolves when the register's retained status says it is online (its session exists). */
  online(timeoutMs?: number): Promise<void>;
  /** Resolves with the register's status once one it published satisfies `check`. */
  statusWhere(check: (status: Record<string, any>) => boolean, timeoutMs?: number): Promise<Record<string, any>>;
  close(): Promise<void>;
}

export async function connectCloud(
  url: string,
  prefix: string,
  clientId = `cloud-${process.pid}-${Math.random().toString(16).slice(2)}`,
  results = new Map<string | null, JobResult[]>(),
  /** TLS and the like (issue 12: a broker that wants client certificates). */
  extra: IClientOptions = {},
): Promise<Cloud> {
  const topics = topicsFor(prefix);
  const client: MqttClient = await mqtt.connectAsync(url, { clientId, clean: false, protocolVersion: 4, reconnectPeriod: 200, ...extra });
  const noDelay = (): void => (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
  noDelay();
  client.on('connect', noDelay);
  const waiters: (() => void)[] = [];
  let lastStatus: Record<string, any> = {};
  client.on('message', (topic, message) => {
    if (topic === topics.status) {
      lastStatus = JSON.parse(message.toString()) as Record<string, any>;
      for (const w of waiters.splice(0)) w();
      return;
    }
    const r = JSON.parse(message.toString()) as JobResult;
    const list = results.get(r.id) ?? [];
    list.push(r);
    results.set(r.id, list);
    for (const w of waiters.splice(0)) w();
  });
  await client.subscribeAsync([topics.results, topics.status], { qos: 1 });
  const finalOf = (id: string): JobResult | undefined => results.get(id)?.find((r) => FINAL_STATUSES.has(r.status));
  /** `what` is read when the wait fails, so it says what is still missing then; `tick` runs at each check (asking again). */
  const until = (check: () => boolean, timeoutMs: number, what: () => string, tick?: () => void): Promise<void> =>
    pollUntil(() => check() || (tick?.(), false), { timeoutMs, what, intervalMs: 200, wake: (now) => void waiters.push(now) });
  let asked = 0;
  return {
    topics,
    results,
    get asked() {
      return asked;
    },
    async publish(payload) {
      await client.publishAsync(topics.jobs, typeof payload === 'string' ? payload : Buffer.from(payload), { qos: 1 });
    },
    async final(id, timeoutMs = 20_000) {
      await until(() => finalOf(id) !== undefined, timeoutMs, () => `the final result of ${id}`);
      return finalOf(id) as JobResult;
    },
    async allFinal(ids, timeoutMs = 60_000, options = {}) {
      const missing = (): string[] => ids.filter((id) => !finalOf(id));
      let nextAsk = Date.now() + (options.askEveryMs ?? Infinity);
      const ask = (): void => {
        if (Date.now() < nextAsk) return;
        nextAsk = Date.now() + (options.askEveryMs ?? Infinity);
        const wanted = missing().slice(0, 100);
        asked++;
        void client.publishAsync(topics.jobs, JSON.stringify({ version: 1, id: `cloud-ask-${asked}-${Date.now()}`, type: 'report', ids: wanted }), { qos: 1 }).catch(() => undefined);
      };
      await until(() => missing().length === 0, timeoutMs, () => `final results of ${ids.length} jobs (${missing().length} missing: ${missing().slice(0, 10).join(' ')})`, ask);
    },
    async online(timeoutMs = 20_000) {
      await until(() => lastStatus.state === 'online', timeoutMs, () => 'the register to come online');
    },
    async statusWhere(check, timeoutMs = 10_000) {
      await until(() => check(lastStatus), timeoutMs, () => `a status that satisfies the check; the last: ${JSON.stringify(lastStatus)}`);
      return lastStatus;
    },
    close: () => client.endAsync(),
  };
}
