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
import type { CrashAt } from '../core/crash-point.ts';
import { atolDateTime } from '../core/local-time.ts';
import type { Log } from '../core/log.ts';
import { cloudPublicKey, type CloudCommand } from '../security/command-envelope.ts';
import { CommandGate, type CommandHandler, type CommandResult } from '../security/command-gate.ts';
import { ReplayGuard } from '../security/replay-guard.ts';
import { TechnicianPin } from '../security/technician-pin.ts';
import type { DeviceState } from '../state/device-state.ts';
import { PHASE, phaseName } from '../../drivers/fn/fn-status-flags.ts';
import { lifecycleHandlers, type LifecycleDeps } from './lifecycle-commands.ts';
import { finishPending, LifecycleJournal } from './lifecycle-journal.ts';
import { applyProfileCommand, type ProvisioningContext } from './profile-command.ts';
import { ProfileStore } from './profile-store.ts';
import { applySettings, provisionUnsigned } from './settings-command.ts';

/** The registration state by FN phase (fn-protocol Table 6). */
const REGISTRATION_STATE: Readonly<Record<number, string>> = {
  [PHASE.readyForRegistration]: 'not registered',
  [PHASE.fiscal]: 'registered',
  [PHASE.postFiscal]: 'archive closed, documents still going to the OFD',
  [PHASE.archiveOnly]: 'archive closed',
};

/** Between an applied profile's result and the restart it asks for. */
const RESTART_DELAY_MS = 300;

export interface ProvisioningWingDeps {
  readonly config: DeviceConfig;
  readonly state: DeviceState;
  readonly clock: Clock;
  readonly log: Log;
  /** Publishes on the register's results topic (QoS 1). */
  readonly publishResult: (payload: string) => Promise<void>;
  /** The FN's lifecycle commands (lifecycle-commands.ts). */
  readonly lifecycle?: LifecycleDeps;
  /** Where the config came from; without it (a register not started by `kassa run`) there is no `profile` command. */
  readonly context?: ProvisioningContext;
  /** Other wings' commands behind the same gate, by command type (the firmware update, issue 14). */
  readonly handlers?: Readonly<Record<string, CommandHandler>>;
  /** Fault tests' power cuts (core/crash-point.ts). */
  readonly crashAt?: CrashAt;
}

export class ProvisioningWing {
  readonly name = 'provisioning';
  private readonly gate: CommandGate | undefined;
  private readonly log: Log;
  private running = false;
  private readonly journal: LifecycleJournal;
  /** The lifecycle deps with this wing's journal: every FN-lifecycle command goes through it. */
  private readonly lifecycle: LifecycleDeps | undefined;
  /** Settles once a command a power cut left in hand is finished (start()); commands wait for it. */
  private recovered: Promise<void> = Promise.resolve();
  /** The technician PIN of the console's acting commands (config security.technicianPin), if one is set. */
  readonly pin: TechnicianPin | undefined;
  /** Topics this wing takes messages from (added to the MQTT subscriptions). */
  readonly topics: readonly string[];
  readonly commandsTopic: string;
  private readonly provisioningTopic: string;

  constructor(private readonly deps: ProvisioningWingDeps) {
    const { config, state, clock, log } = deps;
    this.log = log.child('provisioning');
    this.journal = new LifecycleJournal(state);
    this.lifecycle = deps.lifecycle && { ...deps.lifecycle, journal: this.journal, ...(deps.crashAt ? { crashAt: deps.crashAt } : {}) };
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
              guard: new ReplayGuard({ recall: () => state.data.commandSeq ?? 0, remember: (seq, c) => state.update((d) => void ((d.commandSeq = seq), c && LifecycleJournal.accept(d, c))) }),
              clock,
              log,
              report: async (r: CommandResult) => this.report(r),
              handlers: this.handlers(),
              journal: this.journal,
              ...(deps.crashAt ? { crashAt: deps.crashAt } : {}),
            },
            { maxWindowMs: config.security.commandMaxWindowMs, clockSkewMs: config.security.clockSkewMs },
          );
    // The provisioning topic is always this wing's: signed settings, or the unsigned message without a cloud key.
    this.topics = this.gate ? [this.provisioningTopic, this.commandsTopic] : [this.provisioningTopic];
    const sec = config.security;
    this.pin = sec.technicianPin !== undefined ? new TechnicianPin({ clock, log }, { hash: sec.technicianPin, maxFailures: sec.pinMaxFailures, lockMs: sec.pinLockMs }) : undefined;
    if (!this.pin && config.console.kind !== 'none') this.log.warn('no security.technicianPin: the console refuses its acting commands until one is set ("kassa cloud pin-hash <PIN>")');
  }

  start(): void {
    this.running = true;
    // A lifecycle command a power cut left in hand: finished (or read back from the FN) before any other command.
    const lifecycle = this.lifecycle;
    if (lifecycle && this.journal.pending) {
      this.recovered = finishPending(this.journal, lifecycle, lifecycleHandlers(lifecycle)).then(
        (done) => done && this.report({ ...done.outcome, version: 1, kind: 'command', id: done.command.id, command: done.command.type }),
        (e: unknown) => this.log.error(`the lifecycle command in hand could not be finished: ${e instanceof Error ? e.message : String(e)}`),
      );
    }
    // A profile applied before the restart may owe a re-registration: carried out now, in order.
    if (this.pendingWork()) this.deps.clock.after(0, () => void this.carryOutPending().catch((e: unknown) => this.log.error(`pending profile work failed: ${e instanceof Error ? e.message : String(e)}`)));
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
    await this.recovered;
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

  /**
   * The status topic's `provisioning` part (issue 12 §3): registration state, FN expiry and days
   * left, documents left, config (profile) version, firmware version. `now`: register-local seconds.
   */
  async status(now: number): Promise<Record<string, unknown>> {
    const ctx = this.deps.context;
    const base = { provisioned: ctx?.provisioned ?? 'by hand', config_version: this.profiles.load()?.version ?? ctx?.profileVersion ?? null, firmware: ctx?.firmware ?? null };
    const fn = this.lifecycle?.fn;
    if (!fn) return base;
    const phase = await fn.phase();
    const validity = await fn.validity();
    const resources = await fn.freeResources();
    const reg = this.deps.state.data.registration;
    return {
      ...base,
      registration: REGISTRATION_STATE[phase] ?? phaseName(phase),
      ...(reg ? { registered: { fd: reg.fd, fn_number: reg.fnNumber, ffd: reg.ffd, at: atolDateTime(reg.at) } } : {}),
      fn_valid_until: atolDateTime(validity.validUntil).slice(0, 10),
      fn_days_left: Math.max(0, Math.floor((validity.validUntil - now) / 86400)),
      fn_documents_left: resources.fdsLeft,
      fn_reregistrations_left: validity.reregistrationsLeft,
    };
  }

  describe(): Record<string, unknown> {
    const ctx = this.deps.context;
    return {
      ...(ctx ? { provisioned: ctx.provisioned, profileVersion: this.profiles.load()?.version ?? ctx.profileVersion ?? null, firmware: ctx.firmware } : {}),
      ...(this.pin ? { technicianPin: this.pin.describe() } : {}),
      signedCommands: this.gate !== undefined, requireSignedJobs: this.deps.config.security.requireSignedJobs, ...(this.gate ? { commands: this.gate.describe() } : {}) };
  }

  /**
   * Not awaited: a message handler that waited for the PUBACK of its own QoS 1 publish would
   * deadlock MQTT.js, which reads no packet while a handler runs. The client queues it.
   */
  private report(r: CommandResult): void {
    this.deps.publishResult(JSON.stringify(r)).catch((e: unknown) => this.log.warn(`command result ${r.id} not published: ${e instanceof Error ? e.message : String(e)}`));
  }

  /** The console's `replace-fn` (emulated FN): the same rules as the `replace_fn` command. */
  async replaceFn(fnNumber: string): Promise<string> {
    const lifecycle = this.lifecycle;
    if (!lifecycle) return 'no FN lifecycle here';
    const r = await lifecycleHandlers(lifecycle)['replace_fn']?.({ id: `console-replace-fn-${fnNumber}`, device: this.deps.config.deviceId, seq: 0, issuedAt: 0, expiresAt: 0, type: 'replace_fn', body: { fnNumber } });
    if (!r) return 'the FN here is a real one: the technician swaps it by hand';
    return r.status === 'done' ? `FN ${fnNumber} is in (phase 1): register it with reregister fn_replacement` : `${r.status}: ${String(r['message'] ?? r['reason'] ?? '')}`;
  }

  private get profiles(): ProfileStore {
    return new ProfileStore(this.deps.config.dataDir);
  }

  private handlers(): Record<string, CommandHandler> {
    const { context } = this.deps;
    const lifecycle = this.lifecycle;
    const fn = lifecycle?.fn;
    return {
      settings: (c) => this.settings(c),
      ...(lifecycle ? lifecycleHandlers(lifecycle) : {}),
      ...this.deps.handlers,
      ...(context && fn
        ? {
            profile: (c) =>
              applyProfileCommand(c, {
                // The restart waits a moment, so the `applied` result leaves before the link closes.
                context: { ...context, restart: (why) => void this.deps.clock.after(RESTART_DELAY_MS, () => context.restart(why)) },
                config: this.deps.config,
                profiles: this.profiles,
                now: () => this.deps.clock.now(),
                fnRegistered: async () => (await fn.phase()) === PHASE.fiscal,
              }),
          }
        : {}),
    };
  }

  private pendingWork(): boolean {
    return this.lifecycle !== undefined && this.profiles.load()?.pending !== undefined;
  }

  /** The re-registration a profile change needs, after the restart that applied it; reported under the profile command's id. */
  private async carryOutPending(): Promise<void> {
    const stored = this.profiles.load();
    const pending = stored?.pending;
    const lifecycle = this.lifecycle;
    if (!stored || !pending || !lifecycle) return;
    const outcome = await lifecycleHandlers(lifecycle)['reregister']!({ id: pending.command, device: this.deps.config.deviceId, seq: 0, issuedAt: 0, expiresAt: 0, type: 'reregister', body: { reasons: pending.reregister } });
    const { pending: _done, ...rest } = stored;
    this.profiles.save(rest);
    this.report({ ...outcome, version: 1, kind: 'command', id: pending.command, command: 'profile', stage: 'reregistered', profile_version: stored.version });
  }

  private async settings(c: CloudCommand): Promise<{ status: 'applied' | 'rejected'; problems?: string[] }> {
    const problems = await applySettings(c.body, this.deps.state, this.log);
    return problems.length > 0 ? { status: 'rejected', problems } : { status: 'applied' };
  }
}
