/**
 * The local job API (issue 13 §1): the ATOL web server's HTTP contract on the register, for
 * a retail program on the cashier's computer. Node's own `http`: four routes do not earn a
 * framework. One wing: the constructor stores its deps, start() listens, stop() closes.
 *
 *   POST   /api/v2/requests           {"uuid", "request": [task, …]}  → 201 {uuid, number, isBlocked}
 *   GET    /api/v2/requests/{uuid}    → {results: [{status, errorCode, errorDescription, error, result}]}
 *   DELETE /api/v2/requests/{uuid}    → the waiting tasks canceled
 *   GET    /api/v2/devices            → the one device this register is
 *
 * (`/api/v2/request` is taken as well: some clients use the singular.) Beyond loopback a
 * client needs the token: `Authorization: Bearer <token>` or basic auth with the token as
 * password (the web server's own login form). README.md has the whole contract.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { listenOn } from '../core/listen.ts';
import type { Log } from '../core/log.ts';
import type { LocalApiConfig } from '../config/device-config.ts';
import { isLoopback } from '../config/parse-config.ts';
import type { Answer, LocalRequests } from './local-requests.ts';

export interface LocalApiServerDeps {
  readonly requests: LocalRequests;
  readonly log: Log;
  readonly deviceId: string;
}

/** A request body larger than this is refused unread (50 receipts of 100 items fit). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const ROUTE = /^\/api\/v2\/requests?(?:\/([^/?]+))?\/?(?:\?.*)?$/;

export class LocalApiServer {
  private server: Server | undefined;
  private readonly log: Log;
  readonly stats = { http: 0, unauthorized: 0, bad: 0 };

  constructor(
    private readonly deps: LocalApiServerDeps,
    private readonly config: LocalApiConfig,
  ) {
    this.log = deps.log.child('local-api');
  }

  async start(): Promise<void> {
    if (!this.config.enabled || this.server) return;
    // node:http only for a register whose local API is on: loading it costs every start
    // about 15 ms and its modules' memory (issue 9 §5).
    const { createServer } = await import('node:http');
    if (this.server) return;
    const server = createServer((req, res) => void this.serve(req, res));
    this.server = server;
    // Say which key to change: on a shop PC the port may well be an ATOL web server's own.
    const whenTaken = 'an ATOL web server on this machine? set localApi.port, or localApi.enabled false';
    await listenOn(server, { port: this.config.port, host: this.config.host, what: 'localApi', whenTaken }).catch((e: unknown) => {
      this.server = undefined;
      throw e;
    });
    this.log.info(`local job API (ATOL web server contract) on http://${this.where}`);
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** host:port it listens on, or "off". */
  get where(): string {
    const a = this.server?.address() as AddressInfo | null | undefined;
    return a ? `${this.config.host}:${a.port}` : 'off';
  }

  describe(): Record<string, unknown> {
    return { where: this.where, token: this.config.token !== undefined, ...this.stats, ...this.deps.requests.stats };
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.stats.http++;
    try {
      if (!this.allowed(req)) {
        this.stats.unauthorized++;
        res.setHeader('WWW-Authenticate', 'Bearer, Basic realm="kassa"');
        return send(res, { http: 401, body: { error: { code: 401, description: 'beyond loopback the local API needs its token (Bearer, or basic auth with the token as password)' } } });
      }
      const url = req.url ?? '/';
      if (req.method === 'GET' && /^\/api\/v2\/devices\/?$/.test(url)) return send(res, { http: 200, body: { devices: [{ id: this.deps.deviceId, name: `kassa-runtime ${this.deps.deviceId}`, isDefault: true, isActive: true }] } });
      const m = ROUTE.exec(url);
      if (!m) return send(res, { http: 404, body: { error: { code: 404, description: `no such resource: ${url}` } } });
      const uuid = m[1] !== undefined ? decodedUuid(m[1]) : undefined;
      if (uuid === null) {
        this.stats.bad++;
        return send(res, { http: 400, body: { error: { code: 400, description: `the request's uuid in ${url} is not valid percent-encoding` } } });
      }
      const device = req.headers['deviceid'];
      if (typeof device === 'string' && device !== '' && device !== 'default' && device !== this.deps.deviceId) return send(res, { http: 404, body: { error: { code: 404, description: `no device ${device} here; this is ${this.deps.deviceId}` } } });
      if (req.method === 'POST' && uuid === undefined) {
        const body = await readJson(req);
        if (!body.ok) {
          this.stats.bad++;
          return send(res, { http: body.http, body: { error: { code: body.http, description: body.message } } });
        }
        return send(res, await this.deps.requests.submit(body.value));
      }
      if (req.method === 'GET' && uuid !== undefined) return send(res, await this.deps.requests.results(uuid));
      if (req.method === 'DELETE' && uuid !== undefined) return send(res, await this.deps.requests.cancel(uuid));
      return send(res, { http: 405, body: { error: { code: 405, description: `${req.method ?? '?'} ${url}: not here` } } });
    } catch (e) {
      this.log.error(`${req.method} ${req.url}: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) send(res, { http: 500, body: { error: { code: 500, description: 'the register could not take the request: try again (the same uuid is safe)' } } });
    }
  }

  /** Loopback needs nothing; any other client the token (issue 13 §1). */
  private allowed(req: IncomingMessage): boolean {
    const token = this.config.token;
    if (isLoopback(req.socket.remoteAddress ?? '')) return true;
    if (token === undefined) return false;
    const auth = req.headers.authorization ?? '';
    const given = auth.startsWith('Bearer ') ? auth.slice(7) : auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':').slice(1).join(':') : '';
    const a = Buffer.from(given);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

function send(res: ServerResponse, answer: Answer): void {
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.http, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

type Read = { ok: true; value: unknown } | { ok: false; http: number; message: string };

function readJson(req: IncomingMessage): Promise<Read> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return resolve({ ok: false, http: 413, message: `the body is over ${MAX_BODY_BYTES} bytes` });
      try {
        resolve({ ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
      } catch (e) {
        resolve({ ok: false, http: 400, message: `the body is not JSON: ${e instanceof Error ? e.message : String(e)}` });
      }
    });
    req.on('error', () => resolve({ ok: false, http: 400, message: 'the body was cut off' }));
  });
}

/** The uuid of a request path, percent-decoded; null when its escapes are malformed (a client's error, 400). */
function decodedUuid(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}
