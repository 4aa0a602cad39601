/**
 * Cloud commands for the FN's life (issue 12 §3), each run between the pipeline's
 * documents (one document in the FN at a time) and answered with the FD number, FPD and
 * the registration data as formed:
 *
 *   register                      {}                         phase 1 → fiscal
 *   reregister                    {reasons: [...]}           REREGISTRATION_REASONS; the open shift is closed first
 *   close_fn                      {}                         the open shift closed first and its report given
 *                                                            CLOSE_FN_OFD_WAIT_MS to reach the OFD; refused
 *                                                            while documents wait for the OFD
 *   replace_fn (emulated FN only) {fnNumber}                 the technician's swap; then reregister fn_replacement
 *
 * The first three are journaled (lifecycle-journal.ts): the FN's last FD is noted before the
 * FN is asked anything, so a power cut at any step is finished at the next start.
 */
import { FnError } from '../../drivers/fn/fn-error.ts';
import type { FnFace } from '../../drivers/fn/fn-face.ts';
import { PHASE, phaseName } from '../../drivers/fn/fn-status-flags.ts';
import type { RegistrationConfig } from '../config/device-config.ts';
import type { Clock } from '../core/clock.ts';
import type { TlvNode } from '../fiscal/tlv-codec.ts';
import { NO_CRASH, type CrashAt } from '../core/crash-point.ts';
import type { CloudCommand } from '../security/command-envelope.ts';
import type { CommandHandler, CommandOutcome } from '../security/command-gate.ts';
import type { DeviceState } from '../state/device-state.ts';
import { BacklogRefusal, closeArchive, isReason, refuseWithBacklog, register, reregister, REREGISTRATION_REASONS, type RegistrationOutcome } from './fn-lifecycle.ts';

/**
 * How close_fn waits for the OFD before it refuses with the backlog: as long as the FN's
 * queue keeps shrinking (each document delivered within CLOSE_FN_OFD_STALL_MS), up to
 * CLOSE_FN_OFD_WAIT_MS in all. On a working link the shift-close report close_fn has just
 * made leaves in well under a second, so a cloud that closes an open shift's FN is not
 * refused for the register's own document; with the OFD down it is refused after one stall.
 */
export const CLOSE_FN_OFD_WAIT_MS = 60_000;
export const CLOSE_FN_OFD_STALL_MS = 5_000;

export interface LifecycleDeps {
  readonly fn: FnFace;
  /** The waits of close_fn for the OFD (CLOSE_FN_OFD_WAIT_MS). */
  readonly clock: Clock;
  /** Runs FN work between the pipeline's documents. */
  readonly exclusive: <T>(work: () => Promise<T>) => Promise<T>;
  /** Closes the shift when one is open (the pipeline's own close, printed and reported). */
  readonly closeShiftIfOpen: () => Promise<void>;
  /** Register-local seconds. */
  readonly now: () => number;
  readonly cashier: () => readonly TlvNode[];
  readonly registration: () => RegistrationConfig;
  readonly state: DeviceState;
  /** The emulated FN's swap; absent with a real FN (the technician swaps it by hand). */
  readonly swapFn?: (fnNumber: string) => void;
  /** Puts a formed report on paper (lifecycle-print.ts). */
  readonly print?: (fd: number) => Promise<void>;
  /** Notes the FN's last FD for the command in hand (LifecycleJournal.started). */
  readonly journal?: { started(id: string, fdBefore: number): Promise<void> };
  readonly crashAt?: CrashAt;
}

/** Stores the registration formed (device state) and puts its report on paper. */
export async function recordRegistration(d: LifecycleDeps, r: RegistrationOutcome): Promise<void> {
  await d.state.update((s) => void (s.registration = { fd: r.fd, fpd: r.fpd, at: d.now(), fnNumber: r.fnNumber, ffd: r.registration.ffd }));
  await d.print?.(r.fd);
}

/** A registration's result: FD number, FPD and the data as formed. */
export const asOutcome = (r: RegistrationOutcome): CommandOutcome => ({ status: 'done', fd: r.fd, fpd: r.fpd, fn_number: r.fnNumber, report_type: r.reportType, reasons: r.reasons, registration: r.registration });

export function lifecycleHandlers(d: LifecycleDeps): Record<string, CommandHandler> {
  const crashAt = d.crashAt ?? NO_CRASH;
  const remember = async (r: RegistrationOutcome): Promise<void> => {
    crashAt('command.formed');
    await recordRegistration(d, r);
  };
  const done = asOutcome;
  const guarded = (work: (c: CloudCommand) => Promise<CommandOutcome>, journaled = true): CommandHandler => async (c) => {
    try {
      return await d.exclusive(async () => {
        if (journaled && d.journal) {
          await d.journal.started(c.id, (await d.fn.status()).lastFd);
          crashAt('command.journaled');
        }
        return work(c);
      });
    } catch (e) {
      if (e instanceof BacklogRefusal) return { status: 'fail', reason: 'ofd_backlog', unsent: e.unsent, oldest_fd: e.oldestFd, message: e.message };
      if (e instanceof FnError) return { status: 'fail', reason: 'fn_refused', fn_code: e.fnCode, message: e.message };
      throw e;
    }
  };
  const closeFn = guarded(async () => {
      const phase = await d.fn.phase();
      if (phase !== PHASE.fiscal) return { status: 'rejected', reason: 'wrong_phase', message: `the FN is in ${phaseName(phase)}, not in fiscal mode` };
      await refuseWithBacklog(d.fn);
      const reg = d.registration();
      const r = await closeArchive(d.fn, reg.rnm, d.now(), d.cashier(), reg.ffd);
      crashAt('command.formed');
      await d.print?.(r.fd);
      const after = await d.fn.phase();
      return { status: 'done', fd: r.fd, fpd: r.fpd, fn_number: r.fnNumber, phase: after, phase_name: phaseName(after) };
    });
  /** Gives the OFD sender (woken by every document formed) time to empty the FN's queue while it makes progress. */
  const ofdDrained = async (): Promise<void> => {
    const until = d.clock.now() + CLOSE_FN_OFD_WAIT_MS;
    let left = Infinity;
    let progressAt = d.clock.now();
    for (;;) {
      const count = (await d.exclusive(() => d.fn.ofdStatus()))?.messageCount ?? 0;
      if (count < left) [left, progressAt] = [count, d.clock.now()];
      if (count === 0 || d.clock.now() >= until || d.clock.now() - progressAt >= CLOSE_FN_OFD_STALL_MS) return;
      await new Promise<void>((r) => d.clock.after(250, r));
    }
  };
  /**
   * close_fn before the archive closes, outside the command's turn at the FN (the OFD sender
   * needs turns to send): lets the documents already made reach the OFD, refuses while some
   * still wait (so a refused close has not closed the shift either), closes an open shift,
   * and lets its report reach the OFD too. Undefined: go on to close the archive.
   */
  const closeShiftForArchive = async (c: CloudCommand): Promise<CommandOutcome | undefined> => {
    await ofdDrained();
    const first = await guarded(async () => {
      const phase = await d.fn.phase();
      if (phase !== PHASE.fiscal) return { status: 'rejected', reason: 'wrong_phase', message: `the FN is in ${phaseName(phase)}, not in fiscal mode` };
      await refuseWithBacklog(d.fn);
      await d.closeShiftIfOpen();
      return { status: 'done' };
    }, false)(c);
    if (first.status !== 'done') return first;
    await ofdDrained();
    return undefined;
  };
  return {
    register: guarded(async () => {
      const phase = await d.fn.phase();
      if (phase !== PHASE.readyForRegistration) return { status: 'rejected', reason: 'wrong_phase', message: `the FN is in ${phaseName(phase)}, not ready for registration (use reregister)` };
      const r = await register(d.fn, d.registration(), d.now(), d.cashier());
      await remember(r);
      return done(r);
    }),
    reregister: guarded(async (c) => {
      const reasons = c.body['reasons'];
      if (!Array.isArray(reasons) || reasons.length === 0 || !reasons.every(isReason)) {
        return { status: 'rejected', reason: 'bad_reasons', message: `reasons: a non-empty list of ${Object.keys(REREGISTRATION_REASONS).join(', ')}` };
      }
      const replacing = reasons.includes('fn_replacement');
      const phase = await d.fn.phase();
      const want = replacing ? PHASE.readyForRegistration : PHASE.fiscal;
      if (phase !== want) return { status: 'rejected', reason: 'wrong_phase', message: `the FN is in ${phaseName(phase)}; ${replacing ? `an FN replacement registers a new FN (${phaseName(PHASE.readyForRegistration)})` : `re-registration needs an FN in ${phaseName(PHASE.fiscal)}`}` };
      if (!replacing) await d.closeShiftIfOpen();
      const r = await reregister(d.fn, d.registration(), d.now(), d.cashier(), reasons);
      await remember(r);
      return done(r);
    }),
    close_fn: async (c) => {
      // Outside the command's turn: the shift-close report has to reach the OFD before the
      // archive may close, and the OFD sender needs turns at the FN to send it.
      const before = await closeShiftForArchive(c);
      return before ?? closeFn(c);
    },

    ...(d.swapFn
      ? {
          replace_fn: guarded(async (c) => {
            const fnNumber = c.body['fnNumber'];
            if (typeof fnNumber !== 'string' || !/^\d{16}$/.test(fnNumber)) return { status: 'rejected', reason: 'bad_fn_number', message: 'fnNumber: 16 digits' };
            const phase = await d.fn.phase();
            if (phase === PHASE.fiscal) return { status: 'rejected', reason: 'wrong_phase', message: 'close the fiscal archive first (close_fn)' };
            d.swapFn?.(fnNumber);
            const after = await d.fn.phase();
            return { status: 'done', fn_number: fnNumber, phase: after, phase_name: phaseName(after) };
          }, false),
        }
      : {}),
  };
}
