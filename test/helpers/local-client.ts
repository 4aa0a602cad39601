/**
 * A retail program's side of the local API, for tests: node's own fetch against the ATOL
 * web server contract (firmware/local-api/README.md), nothing of the register imported.
 */
import { createServer } from 'node:net';
import { pollUntil } from './poll.ts';

export interface TaskState {
  readonly status: string;
  readonly errorCode: number;
  readonly errorDescription: string;
  readonly result: Record<string, any> | null;
  readonly kassa: { readonly id: string; readonly status: string; readonly errorName?: string };
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: Record<string, any>;
}

export interface LocalClient {
  /** POSTs that got no answer (the register died or was starting) and were repeated. */
  readonly stats: { postFailures: number; postsCutOff: number };
  post(uuid: string, request: unknown[]): Promise<HttpAnswer>;
  get(uuid: string): Promise<HttpAnswer>;
  delete(uuid: string): Promise<HttpAnswer>;
  /** POSTs until the register answers (it may be restarting): the same uuid is safe to repeat. */
  postUntilTaken(uuid: string, request: unknown[], timeoutMs?: number): Promise<HttpAnswer>;
  /** Resolves once the register answers HTTP (it may be starting). */
  serving(timeoutMs?: number): Promise<void>;
  /** Polls GET until every task is final (ready, error, canceled, interrupted). */
  final(uuid: string, timeoutMs?: number): Promise<TaskState[]>;
}

const FINAL = new Set(['ready', 'error', 'canceled', 'interrupted']);

export function localClient(base: string, headers: Record<string, string> = {}): LocalClient {
  const call = async (method: string, path: string, body?: unknown): Promise<HttpAnswer> => {
    const res = await fetch(`${base}${path}`, { method, headers: { 'Content-Type': 'application/json', ...headers }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), signal: AbortSignal.timeout(10_000) });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const client: LocalClient = {
    stats: { postFailures: 0, postsCutOff: 0 },
    post: (uuid, request) => call('POST', '/api/v2/requests', { uuid, request }),
    get: (uuid) => call('GET', `/api/v2/requests/${encodeURIComponent(uuid)}`),
    delete: (uuid) => call('DELETE', `/api/v2/requests/${encodeURIComponent(uuid)}`),
    async postUntilTaken(uuid, request, timeoutMs = 60_000) {
      let taken: HttpAnswer | undefined;
      let last = '';
      await pollUntil(
        async () => {
          try {
            const a = await client.post(uuid, request);
            last = `HTTP ${a.status}`;
            if (a.status < 500) taken = a;
          } catch (e) {
            client.stats.postFailures++;
            // Refused: the register was not up. Anything else: it died while taking this POST.
            if ((e as { cause?: { code?: string } }).cause?.code !== 'ECONNREFUSED') client.stats.postsCutOff++;
            last = String((e as { cause?: unknown }).cause ?? e);
          }
          return taken !== undefined;
        },
        { timeoutMs, intervalMs: 100, what: () => `the register to take POST ${uuid} (last: ${last})` },
      );
      return taken as HttpAnswer;
    },
    async serving(timeoutMs = 60_000) {
      let last = '';
      await pollUntil(
        () =>
          call('GET', '/api/v2/devices').then(
            (a) => ((last = `HTTP ${a.status}`), a.status === 200),
            (e: unknown) => ((last = String((e as { cause?: unknown }).cause ?? e)), false),
          ),
        { timeoutMs, what: () => `the local API to answer (last: ${last})` },
      );
    },
    async final(uuid, timeoutMs = 60_000) {
      let last = '';
      let final: TaskState[] | undefined;
      await pollUntil(
        async () => {
          try {
            const a = await client.get(uuid);
            last = JSON.stringify(a.body).slice(0, 300);
            const results = (a.body['results'] ?? []) as TaskState[];
            if (a.status === 200 && results.length > 0 && results.every((r) => FINAL.has(r.status))) final = results;
          } catch {
            // the register is restarting
          }
          return final !== undefined;
        },
        { timeoutMs, intervalMs: 100, what: () => `request ${uuid} to be final: ${last}` },
      );
      return final as TaskState[];
    },
  };
  return client;
}

/**
 * Starts the runtime and waits until its local API answers. Under load the FN emulator
 * process may not answer yet when the runtime first asks it (the runtime then exits at
 * start, as it does without an FN): start it again, a few times.
 */
export async function startServing(reg: { startRuntime(): void; killRuntime(signal?: NodeJS.Signals): Promise<void> }, api: LocalClient, attempts = 4): Promise<void> {
  for (let i = 1; ; i++) {
    reg.startRuntime();
    try {
      await api.serving(20_000);
      return;
    } catch (e) {
      await reg.killRuntime('SIGKILL');
      if (i >= attempts) throw e;
    }
  }
}

/** A TCP port free now (for a runtime that must keep its port across restarts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
