/**
 * The door of cloud commands (issue 12 §4; DESIGN.md §1 invariant 6): every message on the
 * commands and provisioning topics, and on the jobs topic when jobs must be signed, passes
 * here. A command is acted on only when verifyCommand accepts it and the replay guard has
 * stored its sequence number; anything else is refused, counted by reason, logged (id,
 * type and reason only: bodies may hold secrets), answered on the results topic, and
 * changes nothing.
 */
import type { KeyObject } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { NO_CRASH, type CrashAt } from '../core/crash-point.ts';
import type { Log } from '../core/log.ts';
import { verifyCommand, type CloudCommand, type RefusalReason } from './command-envelope.ts';
import type { ReplayGuard } from './replay-guard.ts';

/** What a command handler answers; the gate adds the envelope's id and type (and `version`, the result format's: handlers do not use that name). */
export interface CommandOutcome {
  readonly status: 'applied' | 'rejected' | 'accepted' | 'done' | 'fail';
  readonly [field: string]: unknown;
}

/** A command's result on the results topic, beside job results (`kind` tells them apart). */
export interface CommandResult extends Record<string, unknown> {
  readonly version: 1;
  readonly kind: 'command';
  readonly id: string | null;
  readonly command: string | null;
  readonly status: CommandOutcome['status'] | 'refused';
  /** Refusals: a RefusalReason or 'unknown_command'; failures and rejections of handlers: their own (e.g. 'ofd_backlog'). */
  readonly reason?: string;
  readonly message?: string;
}

export type CommandHandler = (command: CloudCommand) => Promise<CommandOutcome>;

/**
 * Where the outcomes of commands that must never act twice (the FN's life) are kept: a
 * re-sent identical command (MQTT redelivery after a power cut, a cloud retry) gets the
 * stored outcome, like a duplicate job gets its stored result (DESIGN.md §1 inv. 2).
 */
export interface CommandJournal {
  /** The outcome stored for this very command (same id, type and sequence number). */
  stored(command: CloudCommand): CommandOutcome | undefined;
  /** Stores the outcome before it is reported (a no-op for commands that are not journaled). */
  finish(command: CloudCommand, outcome: CommandOutcome): Promise<void>;
}

export interface CommandGateDeps {
  readonly publicKey: KeyObject;
  readonly deviceId: string;
  readonly guard: ReplayGuard;
  readonly clock: Clock;
  readonly log: Log;
  readonly report: (result: CommandResult) => Promise<void>;
  readonly handlers: Readonly<Record<string, CommandHandler>>;
  readonly journal?: CommandJournal;
  /** Fault tests' power cuts (core/crash-point.ts). */
  readonly crashAt?: CrashAt;
}

export interface CommandWindow {
  readonly maxWindowMs: number;
  readonly clockSkewMs: number;
}

export class CommandGate {
  private readonly log: Log;
  readonly stats = { accepted: 0, refused: 0, byReason: {} as Record<string, number> };

  constructor(
    private readonly deps: CommandGateDeps,
    private readonly window: CommandWindow,
  ) {
    this.log = deps.log.child('commands');
  }

  /** A command off the wire: acted on, or refused; resolves once its result is reported. */
  async handle(bytes: Uint8Array): Promise<void> {
    const d = this.deps;
    // The sequence number is checked after the journal: a re-sent identical command gets its stored outcome.
    const verdict = verifyCommand(bytes, { publicKey: d.publicKey, deviceId: d.deviceId, now: d.clock.now(), highestSeq: 0, ...this.window });
    if (!verdict.ok) return this.refuse(verdict.id ?? null, null, verdict.reason, verdict.message);
    const c = verdict.command;
    const kept = d.journal?.stored(c);
    if (kept) {
      this.log.info(`command ${c.id} (${c.type}) again: its stored outcome`);
      return d.report({ ...kept, duplicate: true, version: 1, kind: 'command', id: c.id, command: c.type });
    }
    if (c.seq <= d.guard.highest) return this.refuse(c.id, null, 'replayed', `sequence ${c.seq} is not above ${d.guard.highest}`);
    const handler = Object.hasOwn(d.handlers, c.type) ? d.handlers[c.type] : undefined;
    if (!handler) return this.refuse(c.id, c.type, 'unknown_command', `no command "${c.type}" (${Object.keys(d.handlers).join(', ')})`);
    const crashAt = d.crashAt ?? NO_CRASH;
    crashAt('command.received');
    if (!(await d.guard.claim(c.seq, c))) return this.refuse(c.id, c.type, 'replayed', `sequence ${c.seq} was already used`);
    this.stats.accepted++;
    this.log.info(`command ${c.id} (${c.type}, seq ${c.seq}) accepted`);
    let outcome: CommandOutcome;
    try {
      outcome = await handler(c);
    } catch (e) {
      outcome = { status: 'fail', message: e instanceof Error ? e.message : String(e) };
    }
    this.log.info(`command ${c.id} (${c.type}): ${outcome.status}`);
    await d.journal?.finish(c, outcome);
    await d.report({ ...outcome, version: 1, kind: 'command', id: c.id, command: c.type });
    crashAt('command.reported');
  }

  /**
   * A signed receipt job (config security.requireSignedJobs): its wire job, or undefined when
   * refused (and reported). The sequence number is not claimed: jobs may come from several
   * cloud workers out of order, and a replayed job id inside its window gets its stored
   * result from the job ledger, never a second fiscal document (DESIGN.md §1 inv. 2).
   */
  async openJob(bytes: Uint8Array): Promise<Uint8Array | undefined> {
    const d = this.deps;
    const verdict = verifyCommand(bytes, { publicKey: d.publicKey, deviceId: d.deviceId, now: d.clock.now(), highestSeq: 0, ...this.window });
    if (!verdict.ok) {
      await this.refuse(verdict.id ?? null, 'job', verdict.reason, verdict.message);
      return undefined;
    }
    if (verdict.command.type !== 'job') {
      await this.refuse(verdict.command.id, verdict.command.type, 'unknown_command', 'only "job" commands are taken on the jobs topic');
      return undefined;
    }
    return Buffer.from(JSON.stringify(verdict.command.body));
  }

  describe(): Record<string, unknown> {
    return { highestSeq: this.deps.guard.highest, ...this.stats, byReason: { ...this.stats.byReason } };
  }

  private async refuse(id: string | null, command: string | null, reason: RefusalReason | 'unknown_command', message: string): Promise<void> {
    this.stats.refused++;
    this.stats.byReason[reason] = (this.stats.byReason[reason] ?? 0) + 1;
    this.log.warn(`command ${id ?? '(no id)'} refused: ${reason}: ${message}`);
    await this.deps.report({ version: 1, kind: 'command', id, command, status: 'refused', reason, message });
  }
}
