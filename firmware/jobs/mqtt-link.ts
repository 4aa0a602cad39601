/**
 * The register's MQTT client (issue 3 §7): a persistent session (clean = false, and a
 * session expiry on MQTT 5) under a stable client id, so QoS 1 jobs published while the
 * register was away are delivered when it returns; reconnect with exponential backoff and
 * jitter; keepalive; a retained last will on the status topic. Works with any MQTT 3.1.1
 * or 5 broker.
 *
 * Durable acknowledgement: MQTT.js sends the PUBACK of a QoS 1 message when handleMessage's
 * callback runs, so the handler resolves only once the job is in the journal (DESIGN.md §1:
 * "journal append + fsync, THEN the MQTT PUBACK"). A handler that fails sends no PUBACK and
 * the broker redelivers.
 */
import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Clock, TimerHandle } from '../core/clock.ts';
import type { Log } from '../core/log.ts';

export interface MqttLinkOptions {
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  readonly caFile?: string;
  /** TLS client certificate and key (issue 12 §4). */
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly rejectUnauthorized?: boolean;
  readonly clientId: string;
  readonly protocolVersion: 4 | 5;
  readonly keepaliveSeconds: number;
  readonly sessionExpirySeconds: number;
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  readonly subscriptions: readonly string[];
  readonly will: { readonly topic: string; readonly payload: string };
}

export interface MqttLinkDeps {
  readonly log: Log;
  readonly clock: Clock;
  readonly random: () => number;
}

export type MessageHandler = (topic: string, payload: Uint8Array) => Promise<void>;

export class MqttLink {
  private client: MqttClient | undefined;
  private attempt = 0;
  private reconnectTimer: TimerHandle | undefined;
  private stopped = false;
  private readonly log: Log;
  private readonly connectedListeners: (() => void)[] = [];
  readonly stats = { connects: 0, reconnects: 0, disconnects: 0, messages: 0, handlerFailures: 0, published: 0 };

  constructor(
    private readonly deps: MqttLinkDeps,
    private readonly options: MqttLinkOptions,
  ) {
    this.log = deps.log.child('mqtt');
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Called on every (re)connect, after the subscriptions are in place. */
  onConnected(listener: () => void): void {
    this.connectedListeners.push(listener);
  }

  start(handler: MessageHandler): void {
    const o = this.options;
    const opts: IClientOptions = {
      clientId: o.clientId,
      clean: false,
      protocolVersion: o.protocolVersion,
      keepalive: o.keepaliveSeconds,
      reconnectPeriod: 0, // we reconnect ourselves, with backoff and jitter
      connectTimeout: 10_000,
      // mqtt-packet otherwise builds a table of 65 536 two-byte Buffers on the first packet it
      // writes (about 6 MiB of heap, resident for good) only to save encoding a packet id:
      // a register writes a few packets a second (issue 9 §5, measured in the heap snapshot).
      writeCache: false,
      // MQTT.js's own trace goes nowhere, at any level: it writes out whole packets, the
      // CONNECT with the broker's password among them, and job payloads, ~20 multi-line
      // records a job. This link logs what a technician needs (connects, failures). Not the
      // debug module either, whose switch costs a getter on each of those calls even when
      // off (issue 9 §5); DEBUG=mqttjs* no longer shows it.
      log: () => {},
      will: { topic: o.will.topic, payload: Buffer.from(o.will.payload), qos: 1, retain: true },
      ...(o.protocolVersion === 5 ? { properties: { sessionExpiryInterval: o.sessionExpirySeconds } } : {}),
      ...(o.username !== undefined ? { username: o.username } : {}),
      ...(o.password !== undefined ? { password: o.password } : {}),
      ...(o.caFile ? { ca: readFileSync(o.caFile) } : {}),
      ...(o.certFile ? { cert: readFileSync(o.certFile) } : {}),
      ...(o.keyFile ? { key: readFileSync(o.keyFile) } : {}),
      ...(o.rejectUnauthorized !== undefined ? { rejectUnauthorized: o.rejectUnauthorized } : {}),
    };
    const client = mqtt.connect(o.url, opts);
    this.client = client;
    client.handleMessage = (packet, done) => {
      this.stats.messages++;
      const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
      handler(packet.topic, new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength)).then(
        () => done(),
        (e: unknown) => {
          this.stats.handlerFailures++;
          this.log.error(`message on ${packet.topic} not acknowledged (will be redelivered): ${e instanceof Error ? e.message : String(e)}`);
          // No PUBACK: drop the connection, so the broker redelivers the message on the next
          // connection of this session ('close' brings the reconnect).
          client.stream.destroy();
        },
      );
    };
    client.on('connect', (connack) => {
      // Results are small and latency matters: no Nagle delay (40 ms with delayed ACKs).
      (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
      this.attempt = 0;
      this.stats.connects++;
      this.log.info(`connected to ${o.url} as ${o.clientId} (session ${connack.sessionPresent ? 'resumed' : 'new'})`);
      client.subscribe(
        [...o.subscriptions],
        { qos: 1 },
        (err) => {
          if (err) this.log.error(`subscribe failed: ${err.message}`);
          else for (const l of this.connectedListeners) l();
        },
      );
    });
    client.on('close', () => {
      this.stats.disconnects++;
      this.scheduleReconnect();
    });
    client.on('error', (e) => this.log.warn(`MQTT: ${e.message}`));
  }

  async publish(topic: string, payload: string | Uint8Array, options: { retain?: boolean; qos?: 0 | 1 } = {}): Promise<void> {
    const client = this.client;
    if (!client) throw new Error('MQTT link not started');
    await client.publishAsync(topic, typeof payload === 'string' ? payload : Buffer.from(payload), { qos: options.qos ?? 1, retain: options.retain ?? false });
    this.stats.published++;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.reconnectTimer?.cancel();
    const client = this.client;
    if (client) await client.endAsync();
  }

  describe(): Record<string, unknown> {
    return { url: this.options.url, clientId: this.options.clientId, protocolVersion: this.options.protocolVersion, connected: this.connected, ...this.stats };
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    const o = this.options;
    const base = Math.min(o.reconnectMaxMs, o.reconnectMinMs * 2 ** Math.min(this.attempt, 16));
    const delay = Math.round(base / 2 + (base / 2) * this.deps.random()); // "equal jitter"
    this.attempt++;
    this.log.info(`reconnecting in ${delay} ms (attempt ${this.attempt})`);
    this.reconnectTimer = this.deps.clock.after(delay, () => {
      this.reconnectTimer = undefined;
      const c = this.client;
      if (this.stopped || !c || c.connected) return;
      this.stats.reconnects++;
      // Keep the stores: results published while away must go out once connected again
      // (MQTT.js would otherwise start from empty stores, and the promises of the publishes
      // it dropped would never settle). Issue 11 checked the suspicion that resuming with
      // the stores reuses message ids: MQTT.js 5's default id provider never does (its
      // clear() is a no-op and register() accepts every id; only UniqueMessageIdProvider
      // can skip a stored packet). The results lost under load with mosquitto restarted were
      // lost by the broker: it acknowledged a result just before stopping and never
      // delivered it to the cloud's offline session; the cloud asks again (report request).
      c.reconnect({ incomingStore: c.incomingStore, outgoingStore: c.outgoingStore });
    });
  }
}
