/**
 * Shift rules (fn-protocol §4.6; issue 3 §5): a shift is opened before the first receipt,
 * closed and reopened before a receipt once it has been open `maxOpenMinutes` (the FN
 * refuses receipts after 24 h), closed at the daily time, and on request.
 */
import type { ShiftResult } from '../../drivers/fn/fn-documents.ts';
import type { FnFace, ShiftParams } from '../../drivers/fn/fn-face.ts';
import type { Log } from '../core/log.ts';
import type { FfdVersion } from '../fiscal/ffd-version.ts';
import type { TlvNode } from '../fiscal/tlv-codec.ts';

export interface ShiftInfo {
  readonly open: boolean;
  readonly number: number;
  /** Local seconds of the open-shift report, when the register knows it. */
  readonly openedAt: number | undefined;
}

export interface ShiftKeeperDeps {
  readonly fn: FnFace;
  readonly log: Log;
  /** Remembers when the shift was opened across restarts (device state). */
  readonly remember: (shift: { number: number; openedAt: number } | undefined) => Promise<void>;
  readonly recall: () => { number: number; openedAt: number } | undefined;
  /**
   * A shift report the keeper formed on its own — opening before a receipt, closing an old
   * or scheduled shift — for printing (a job's own open/close is printed with its result).
   */
  readonly reportFormed?: (report: ShiftReport) => void;
}

export interface ShiftReport {
  readonly kind: 'open' | 'close';
  readonly result: ShiftResult;
  /** Local seconds it was formed at. */
  readonly at: number;
}

export class ShiftKeeper {
  private readonly log: Log;
  constructor(
    private readonly deps: ShiftKeeperDeps,
    private readonly options: { readonly ffd: FfdVersion; readonly maxOpenMinutes: number },
  ) {
    this.log = deps.log.child('shift');
  }

  async current(): Promise<ShiftInfo> {
    return this.info(await this.deps.fn.shift());
  }

  private info(value: ShiftParams): ShiftInfo {
    const known = this.deps.recall();
    const openedAt = value.shiftOpen === 1 && known?.number === value.shiftNumber ? known.openedAt : undefined;
    return { open: value.shiftOpen === 1, number: value.shiftNumber, openedAt };
  }

  /** Makes sure a shift is open and young enough for a document at `at`; returns its number. */
  async ensureOpen(at: number, cashier: readonly TlvNode[]): Promise<number> {
    // 10h, unless the face knows it (a receipt of this register's own was the last document).
    const shift = this.info(await this.deps.fn.shiftBeforeForming());
    if (shift.open && (shift.openedAt === undefined || at - shift.openedAt < this.options.maxOpenMinutes * 60)) return shift.number;
    if (shift.open) {
      this.log.info(`shift ${shift.number} has been open ${Math.round((at - (shift.openedAt ?? at)) / 60)} min: closing it before the next receipt`);
      await this.closeOnOwn(at, cashier);
    }
    const opened = await this.open(at, cashier);
    this.deps.reportFormed?.({ kind: 'open', result: opened, at });
    return opened.shiftNumber;
  }

  /** Closes the shift for the register's own reasons (age, the daily time, FN 16h); the report is printed. */
  async closeOnOwn(at: number, cashier: readonly TlvNode[]): Promise<ShiftResult> {
    const closed = await this.close(at, cashier);
    this.deps.reportFormed?.({ kind: 'close', result: closed, at });
    return closed;
  }

  async open(at: number, cashier: readonly TlvNode[]): Promise<ShiftResult> {
    const r = await this.deps.fn.openShift(this.options.ffd, at, cashier);
    await this.deps.remember({ number: r.shiftNumber, openedAt: at });
    this.log.info(`shift ${r.shiftNumber} opened (FD ${r.fd})`);
    return r;
  }

  async close(at: number, cashier: readonly TlvNode[]): Promise<ShiftResult> {
    const r = await this.deps.fn.closeShift(this.options.ffd, at, cashier);
    await this.deps.remember(undefined);
    this.log.info(`shift ${r.shiftNumber} closed (FD ${r.fd})`);
    return r;
  }

  /** True when the open shift is older than the limit at `at` (the scheduled check closes it). */
  async isDue(at: number): Promise<boolean> {
    const shift = await this.current();
    return shift.open && shift.openedAt !== undefined && at - shift.openedAt >= this.options.maxOpenMinutes * 60;
  }
}
