/**
 * The FN-lifecycle commands' own journal (issue 12 §6, power cuts during registration;
 * DESIGN.md §1 invariants 1–2 applied to commands). A `register`, `reregister` or
 * `close_fn` is recorded in the same device-state write as its sequence number
 * (replay-guard.ts), then with the FN's last FD before the FN is asked anything; its outcome
 * is stored before it is reported. After a power cut, start() finishes the command in hand:
 *
 *   no FD noted yet                → the FN was not touched: the command is carried out now;
 *   a report of its FD type after  → the FN formed it: FD number and FPD read back from the
 *     the FD noted (40h)             archive (never made up), the outcome stored and reported;
 *   none                           → an open document is cancelled (06h), the command carried out.
 *
 * A re-sent identical command (MQTT redelivery, a cloud retry) gets the stored outcome.
 */
import { phaseName } from '../../drivers/fn/fn-status-flags.ts';
import { FD_TYPE } from '../fiscal/tag-table.ts';
import type { CloudCommand } from '../security/command-envelope.ts';
import type { CommandHandler, CommandJournal, CommandOutcome } from '../security/command-gate.ts';
import type { DeviceState, DeviceStateData } from '../state/device-state.ts';
import { FnFace } from '../../drivers/fn/fn-face.ts';
import { asFormed, isReason, type RegistrationOutcome } from './fn-lifecycle.ts';
import { asOutcome, recordRegistration, type LifecycleDeps } from './lifecycle-commands.ts';

/** The commands journaled, with the FD type of the report each forms. */
const FORMS: Readonly<Record<string, number>> = { register: FD_TYPE.registration, reregister: FD_TYPE.reregistration, close_fn: FD_TYPE.closeFn };
/** Stored outcomes kept for re-sent commands: the last few, so the state stays small. */
const KEEP_OUTCOMES = 16;

export class LifecycleJournal implements CommandJournal {
  constructor(private readonly state: DeviceState) {}

  static journaled(type: string): boolean {
    return Object.hasOwn(FORMS, type);
  }

  /** Part of the replay guard's write: the command in hand, from its acceptance on. */
  static accept(data: DeviceStateData, command: CloudCommand): void {
    if (LifecycleJournal.journaled(command.type)) data.lifecycleCommand = { command };
  }

  get pending(): DeviceStateData['lifecycleCommand'] {
    return this.state.data.lifecycleCommand;
  }

  /** Notes the FN's last FD before the command asks the FN anything. */
  async started(id: string, fdBefore: number): Promise<void> {
    await this.state.update((d) => {
      if (d.lifecycleCommand?.command.id === id) d.lifecycleCommand.fdBefore = fdBefore;
    });
  }

  stored(c: CloudCommand): CommandOutcome | undefined {
    return this.state.data.lifecycleResults?.find((r) => r.id === c.id && r.type === c.type && r.seq === c.seq)?.outcome;
  }

  async finish(c: CloudCommand, outcome: CommandOutcome): Promise<void> {
    if (!LifecycleJournal.journaled(c.type)) return;
    await this.state.update((d) => {
      d.lifecycleResults = [...(d.lifecycleResults ?? []).filter((r) => r.id !== c.id), { id: c.id, type: c.type, seq: c.seq, outcome }].slice(-KEEP_OUTCOMES);
      if (d.lifecycleCommand?.command.id === c.id) delete d.lifecycleCommand;
    });
  }
}

/** Finishes the command a power cut left in hand: it and its outcome (stored), or undefined when none was. */
export async function finishPending(journal: LifecycleJournal, d: LifecycleDeps, handlers: Readonly<Record<string, CommandHandler>>): Promise<{ command: CloudCommand; outcome: CommandOutcome } | undefined> {
  const pending = journal.pending;
  if (!pending) return undefined;
  const { command, fdBefore } = pending;
  const formed = fdBefore === undefined ? undefined : await d.exclusive(() => findFormed(d, command, fdBefore));
  const handler = handlers[command.type];
  const outcome: CommandOutcome = formed ?? (handler ? await handler(command) : { status: 'fail', reason: 'unknown_command' });
  await journal.finish(command, outcome);
  return { command, outcome };
}

/** The report `command` formed after `fdBefore`, read back from the FN archive; undefined when the FN formed none. */
async function findFormed(d: LifecycleDeps, command: CloudCommand, fdBefore: number): Promise<CommandOutcome | undefined> {
  const status = await d.fn.status();
  if (FnFace.hasOpenDocument(status)) await d.fn.cancelDocument(); // started, not formed: nothing in the archive
  const ffd = d.registration().ffd;
  for (let fd = status.lastFd; fd > fdBefore; fd--) {
    const summary = await d.fn.findDocument(fd, ffd);
    if (summary.fdType !== FORMS[command.type]) continue;
    if (command.type === 'close_fn') return { status: 'done', fd: summary.fd, fpd: summary.fpd, fn_number: status.fnNumber, phase: status.phase, phase_name: phaseName(status.phase), recovered: true };
    const reasons = Array.isArray(command.body['reasons']) ? command.body['reasons'].filter(isReason) : [];
    const r: RegistrationOutcome = {
      fd: summary.fd,
      fpd: summary.fpd,
      fnNumber: status.fnNumber,
      reportType: command.type === 'register' ? 0 : reasons.includes('fn_replacement') ? 1 : 2,
      reasons,
      registration: asFormed(d.registration()),
    };
    await recordRegistration(d, r);
    return { ...asOutcome(r), recovered: true };
  }
  return undefined;
}
