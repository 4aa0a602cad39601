/**
 * The cloud's side of issue 12 as a library for `kassa cloud …` and the tests: an MQTT
 * connection as the cloud, commands signed with the cloud's Ed25519 key, and every command
 * result a register reports, kept by command id.
 *
 * Sequence numbers: a cloud with no memory of its own uses the issue time in milliseconds,
 * which only grows; a caller may pass its own.
 */
import { randomUUID, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { signCommand, type CloudCommand } from '../security/command-envelope.ts';
import type { CommandResult } from '../security/command-gate.ts';
import type { Clock } from '../core/clock.ts';

export interface CloudTls {
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
}

export interface CloudLinkOptions extends CloudTls {
  readonly url: string;
  /** Issue times of commands and the waits for their results. */
  readonly clock: Clock;
  readonly clientId?: string;
  readonly username?: string;
}

export interface CommandOptions {
  readonly seq?: number;
  readonly device?: string;
  readonly issuedAt?: number;
  readonly lifetimeMs?: number;
  readonly id?: string;
}

/** TLS options of MQTT.js from file names. */
export function tlsOptions(t: CloudTls): Pick<IClientOptions, 'ca' | 'cert' | 'key'> {
  return { ...(t.caFile ? { ca: readFileSync(t.caFile) } : {}), ...(t.certFile ? { cert: readFileSync(t.certFile) } : {}), ...(t.keyFile ? { key: readFileSync(t.keyFile) } : {}) };
}

export class CloudLink {
  /** Every message seen on a watched results topic, command results by id. */
  readonly commandResults = new Map<string | null, CommandResult[]>();
  private readonly waiters = new Set<() => void>();
  private lastSeq = 0;
  private closed = false;

  private constructor(
    readonly client: MqttClient,
    private readonly clock: Clock,
  ) {
    client.on('message', (_topic, message) => {
      let r: Record<string, unknown>;
      try {
        r = JSON.parse(message.toString()) as Record<string, unknown>;
      } catch {
        return;
      }
      if (r['kind'] !== 'command') return;
      const id = (r['id'] as string | null) ?? null;
      this.commandResults.set(id, [...(this.commandResults.get(id) ?? []), r as CommandResult]);
      for (const w of [...this.waiters]) w();
    });
  }

  static async connect(o: CloudLinkOptions): Promise<CloudLink> {
    const client = await mqtt.connectAsync(o.url, {
      clientId: o.clientId ?? `cloud-${randomUUID()}`,
      // MQTT 3.1.1: the cloud tools use nothing of MQTT 5, and 3.1.1 is what every broker
      // speaks, the embedded one of `kassa cloud demo` (aedes) included.
      protocolVersion: 4,
      reconnectPeriod: 500,
      ...(o.username !== undefined ? { username: o.username } : {}),
      ...tlsOptions(o),
    });
    return new CloudLink(client, o.clock);
  }

  async watch(topic: string): Promise<void> {
    await this.client.subscribeAsync(topic, { qos: 1 });
  }

  /** Signs a command for `device` and publishes it on `topic`; returns the command as signed. */
  async command(topic: string, key: KeyObject, device: string, type: string, body: Record<string, unknown>, o: CommandOptions = {}): Promise<CloudCommand> {
    const issuedAt = o.issuedAt ?? this.clock.now();
    const seq = o.seq ?? Math.max(issuedAt, this.lastSeq + 1);
    this.lastSeq = Math.max(this.lastSeq, seq);
    const command: CloudCommand = { id: o.id ?? `${type}-${randomUUID()}`, device: o.device ?? device, seq, issuedAt, expiresAt: issuedAt + (o.lifetimeMs ?? 120_000), type, body };
    await this.publish(topic, JSON.stringify(signCommand(command, key)));
    return command;
  }

  async publish(topic: string, payload: string | Uint8Array, retain = false): Promise<void> {
    await this.client.publishAsync(topic, typeof payload === 'string' ? payload : Buffer.from(payload), { qos: 1, retain });
  }

  /** The first result of command `id` whose status passes `final` (default: any but "accepted"). */
  async result(id: string | null, timeoutMs = 20_000, final: (r: CommandResult) => boolean = () => true): Promise<CommandResult> {
    const found = (): CommandResult | undefined => this.commandResults.get(id)?.find(final);
    const deadline = this.clock.now() + timeoutMs;
    for (;;) {
      const r = found();
      if (r) return r;
      if (this.closed) throw new Error(`the link closed before a result of command ${id}`);
      if (this.clock.now() > deadline) throw new Error(`no result of command ${id} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const done = (): void => {
          timer.cancel();
          this.waiters.delete(done);
          resolve();
        };
        this.waiters.add(done);
        const timer = this.clock.after(200, done);
      });
    }
  }

  /** Ends the connection; waits for results end at once. */
  close(): Promise<void> {
    this.closed = true;
    for (const w of [...this.waiters]) w();
    return this.client.endAsync();
  }
}
