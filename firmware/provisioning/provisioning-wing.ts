/**
 * The wing of issue 12 in the register: the only place app.ts reaches for cloud commands.
 * With a pinned cloud key (config security.cloudPublicKey) every command — settings on the
 * provisioning topic, the device profile, the FN's lifecycle — must come signed through the
 * command gate; without one (a register configured by hand, the demo) the provisioning topic
 * keeps its unsigned settings message and the commands topic is not subscribed at all.
 *
 * Lifecycle (DESIGN.md §3 rule 11): the constructor stores deps, start() and stop() are
 * idempotent, describe() says what it guards.
 */
import type { DeviceConfig } from '../config/device-config.ts';
import type { Clock } from '../core/clock.ts';
import type { Log } from '../core/log.ts';
import { cloudPublicKey, type CloudCommand } from '../security/command-envelope.ts';
import { CommandGate, type CommandHandler, type CommandResult } from '../security/command-gate.ts';
import { ReplayGuard } from '../security/replay-guard.ts';
import type { DeviceState } from '../state/device-state.ts';
import { applySettings, provisionUnsigned } from './settings-command.ts';

export interface ProvisioningWingDeps {
  readonly config: DeviceConfig;
  readonly state: DeviceState;
  readonly clock: Clock;
  readonly log: Log;
  /** Publishes on the register's results topic (QoS 1). */
  readonly publishResult: (payload: string) => Promise<void>;
  /** Command handlers beyond `settings` (profile, FN lifecycle), by command type. */
  readonly handlers?: Readonly<Record<string, CommandHandler>>;
}

export class ProvisioningWing {
  private readonly gate: CommandGate | undefined;
  private readonly log: Log;
  private running = false;
  /** Topics this wing takes messages from (added to the MQTT subscriptions). */
  readonly topics: readonly string[];
  readonly commandsTopic: string;
  private readonly provisioningTopic: string;

  constructor(private readonly deps: ProvisioningWingDeps) {
    const { config, state, clock, log } = deps;
    this.log = log.child('provisioning');
    const prefix = config.mqtt.topicPrefix;
    this.commandsTopic = `${prefix}/commands`;
    this.provisioningTopic = `${prefix}/provisioning`;
    const key = config.security.cloudPublicKey;
    this.gate =
      key === undefined
        ? undefined
        : new CommandGate(
            {
              publicKey: cloudPublicKey(key),
              deviceId: config.deviceId,
              guard: new ReplayGuard({ recall: () => state.data.commandSeq ?? 0, remember: (seq) => state.update((d) => void (d.commandSeq = seq)) }),
              clock,
              log,
              report: async (r: CommandResult) => this.report(r),
              handlers: { settings: (c) => this.settings(c), ...deps.handlers },
            },
            { maxWindowMs: config.security.commandMaxWindowMs, clockSkewMs: config.security.clockSkewMs },
          );
    this.topics = this.gate ? [this.commandsTopic] : [];
  }

  start(): void {
    this.running = true;
  }

  async stop(): Promise<void> {
    this.running = false;
  }

  /** Whether a message on `topic` is this wing's (the provisioning topic always is). */
  handles(topic: string): boolean {
    return topic === this.provisioningTopic || (this.gate !== undefined && topic === this.commandsTopic);
  }

  async handle(topic: string, payload: Uint8Array): Promise<void> {
    if (!this.running) throw new Error('provisioning wing not started'); // no PUBACK: redelivered after the restart
    if (this.gate) return this.gate.handle(payload);
    if (topic === this.provisioningTopic) return provisionUnsigned(payload, this.deps.state, this.log);
  }

  /** A receipt job as the intake should see it: unwrapped when jobs must be signed, or undefined when refused. */
  async openJob(payload: Uint8Array): Promise<Uint8Array | undefined> {
    if (!this.deps.config.security.requireSignedJobs) return payload;
    if (!this.gate) {
      this.log.error('security.requireSignedJobs without security.cloudPublicKey: every job is refused');
      this.report({ version: 1, kind: 'command', id: null, command: 'job', status: 'refused', reason: 'unsigned', message: 'no cloud key to check jobs with' });
      return undefined;
    }
    return this.gate.openJob(payload);
  }

  describe(): Record<string, unknown> {
    return { signedCommands: this.gate !== undefined, requireSignedJobs: this.deps.config.security.requireSignedJobs, ...(this.gate ? { commands: this.gate.describe() } : {}) };
  }

  /**
   * Not awaited: a message handler that waited for the PUBACK of its own QoS 1 publish would
   * deadlock MQTT.js, which reads no packet while a handler runs. The client queues it.
   */
  private report(r: CommandResult): void {
    this.deps.publishResult(JSON.stringify(r)).catch((e: unknown) => this.log.warn(`command result ${r.id} not published: ${e instanceof Error ? e.message : String(e)}`));
  }

  private async settings(c: CloudCommand): Promise<{ status: 'applied' | 'rejected'; problems?: string[] }> {
    const problems = await applySettings(c.body, this.deps.state, this.log);
    return problems.length > 0 ? { status: 'rejected', problems } : { status: 'applied' };
  }
}
