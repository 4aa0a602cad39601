/**
 * `kassa send-job`: publishes job files to the register's jobs topic, as the cloud would,
 * and prints every result until each job is done or failed.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { encode as encodeCbor } from 'cbor-x';
import mqtt from 'mqtt';
import type { TimerHandle } from '../core/clock.ts';
import { FINAL_STATUSES, type JobResult } from '../jobs/job-result.ts';
import { topicsFor } from '../jobs/topics.ts';
import { UsageError, type CliContext, type Command } from './cli-context.ts';
import { DEFAULT_CONFIG, loadConfig } from './load-config.ts';

export const sendJobCommand: Command = {
  name: 'send-job',
  usage: `kassa send-job <job.json>… [--config <file>] [--url <mqtt url>] [--cbor] [--timeout-ms <n>]
  A file is a job, or a fixture {"job": …, "expect": {"status": …}} (test/fixtures/real/): its job
  is sent and its final status compared with the expected one. A report request
  ({"type": "report", "ids": […]}) prints the results it makes the register send again.
  A result naming no id (the register could not read one from the payload) is printed too.
  --config <file>    the register's config: broker and topics, default ${DEFAULT_CONFIG}
  --url <url>        broker URL instead of the config's
  --cbor             send the payload as CBOR instead of JSON
  --timeout-ms <n>   give up waiting for results after n ms, default 60000
Exit code: 0 when every job is done (a fixture's: ends as it expects), 1 when one failed or timed out,
2 when a file cannot be read or is not JSON.`,
  async run(ctx: CliContext): Promise<number> {
    const { values, positionals } = parseArgs({
      args: [...ctx.args],
      allowPositionals: true,
      options: { config: { type: 'string', default: DEFAULT_CONFIG }, url: { type: 'string' }, cbor: { type: 'boolean', default: false }, 'timeout-ms': { type: 'string', default: '60000' } },
    });
    if (positionals.length === 0) throw new UsageError('name at least one job file');
    const config = loadConfig(values.config);
    const b = config.mqtt.broker;
    const url = values.url ?? (b.kind === 'embedded' ? `mqtt://${b.host}:${b.port}` : b.url);
    const topics = topicsFor(config.mqtt.topicPrefix);
    const jobs = [];
    for (const file of positionals) {
      let text: string;
      let value: unknown;
      try {
        text = readFileSync(file, 'utf8');
        value = JSON.parse(text) as unknown;
      } catch (e) {
        ctx.err(`kassa send-job: ${file}: ${e instanceof SyntaxError ? `not JSON (${e.message})` : e instanceof Error ? e.message : String(e)}`);
        return 2;
      }
      const { job, expected } = jobOfFile(value);
      // An ATOL request body may leave the id to its external_id (firmware/jobs/README.md Form 5).
      const id = job['id'] ?? (job['atol_request'] as { external_id?: unknown } | undefined)?.external_id;
      if (typeof id !== 'string') throw new UsageError(`${file}: the job has no "id" (nor atol_request.external_id)`);
      jobs.push({ file, id, expected, payload: values.cbor ? encodeCbor(job) : Buffer.from(JSON.stringify(job)), also: job['type'] === 'report' && Array.isArray(job['ids']) ? (job['ids'] as unknown[]).filter((x) => typeof x === 'string') : [] });
    }
    // The stored results a report request makes the register send again are shown as they come.
    const alsoShown = new Set(jobs.flatMap((j) => j.also));
    const expectedOf = new Map(jobs.map((j) => [j.id, j.expected]));
    const waiting = new Map(jobs.map((j) => [j.id, j.file]));
    let failed = 0;
    // One try, like the console: no broker means no register to send to, said plainly.
    let client: mqtt.MqttClient;
    try {
      client = await mqtt.connectAsync(url, { clientId: `kassa-send-job-${ctx.pid}-${ctx.clock.now()}`, clean: true, protocolVersion: 4, reconnectPeriod: 0 });
    } catch (e) {
      ctx.err(`kassa send-job: cannot reach the broker at ${url}: ${e instanceof Error ? e.message : String(e)} (is the register running?)`);
      return 1;
    }
    try {
      const done = new Promise<void>((resolve) => {
        client.on('message', (_topic, message) => {
          const result = JSON.parse(message.toString()) as JobResult;
          let id = result.id;
          if (id === null) {
            // The register could not read an id from a payload (e.g. one too long): with one job
            // still waiting, that refusal is its; otherwise it is shown and the wait goes on.
            ctx.out(JSON.stringify(result, null, 2));
            const only = waiting.size === 1 ? [...waiting.keys()][0] : undefined;
            if (only === undefined || !FINAL_STATUSES.has(result.status)) return;
            ctx.err(`job ${only}: the register answered without an id (it could not read the one sent)`);
            id = only;
          } else {
            if (!waiting.has(id)) {
              if (alsoShown.has(id)) ctx.out(JSON.stringify(result, null, 2));
              return;
            }
            ctx.out(JSON.stringify(result, null, 2));
          }
          if (FINAL_STATUSES.has(result.status)) {
            const expected = expectedOf.get(id);
            if (expected !== undefined) ctx.err(`job ${id}: ${result.status}, ${result.status === expected ? 'as its fixture expects' : `its fixture expects ${expected}`}`);
            if (result.status !== (expected ?? 'done')) failed++;
            waiting.delete(id);
            if (waiting.size === 0) resolve();
          }
        });
      });
      await client.subscribeAsync(topics.results, { qos: 1 });
      for (const j of jobs) {
        await client.publishAsync(topics.jobs, j.payload, { qos: 1 });
        ctx.err(`sent ${j.file} (job ${j.id}) to ${topics.jobs} on ${url}`);
      }
      const timeoutMs = Number(values['timeout-ms']);
      let timer: TimerHandle | undefined;
      await Promise.race([done, new Promise<void>((r) => (timer = ctx.clock.after(timeoutMs, r)))]);
      timer?.cancel();
      for (const [id, file] of waiting) ctx.err(`no final result for job ${id} (${file}) within ${timeoutMs} ms`);
      return failed > 0 || waiting.size > 0 ? 1 : 0;
    } finally {
      await client.endAsync();
    }
  },
};

/** A job file, or a fixture of test/fixtures/real/ ({job, expect}): the job and the status it expects. */
export function jobOfFile(value: unknown): { job: Record<string, unknown>; expected?: string } {
  const o = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const inner = o['job'];
  const expect = o['expect'] as { status?: unknown } | undefined;
  if (typeof inner === 'object' && inner !== null && !Array.isArray(inner) && typeof expect?.status === 'string') {
    return { job: inner as Record<string, unknown>, expected: expect.status };
  }
  return { job: o };
}
