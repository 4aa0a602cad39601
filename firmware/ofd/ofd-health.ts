/**
 * OFD backlog health (issue 5 §4): unsent documents, the oldest one and its age, the days
 * left before the FN's 30-day block (fn-protocol Table 5, 14h), the FN's warning flags, and
 * an escalation level at 2, 20 and 27 days.
 */
import { FN } from '../../drivers/fn/fn-commands.ts';
import type { FnDriver } from '../../drivers/fn/fn-driver.ts';
import { atolDateTime } from '../core/local-time.ts';

/** The FN blocks forming documents when the oldest unsent one is older than this (fiscal-spec §1.7). */
export const OFD_BLOCK_DAYS = 30;

/** Escalation: from this age (days) of the oldest unsent document on, the level applies. */
export const ESCALATION: readonly { readonly fromDays: number; readonly level: OfdHealthLevel }[] = [
  { fromDays: 27, level: 'critical' }, // three days before the block
  { fromDays: 20, level: 'warning' },
  { fromDays: 2, level: 'notice' }, // the FFD's own "OFD timeout" horizon (tag 1053)
  { fromDays: 0, level: 'ok' },
];

export type OfdHealthLevel = 'ok' | 'notice' | 'warning' | 'critical' | 'blocked';

export interface OfdHealth {
  readonly unsent: number;
  readonly oldest_fd?: number;
  readonly oldest_at?: string;
  readonly oldest_age_days?: number;
  readonly days_left?: number;
  readonly level: OfdHealthLevel;
  /** FN warning flags (fn-protocol Table 9); bit 3 = OFD timeout. */
  readonly fn_warnings: number;
}

/** Reads 20h and 30h; `now` is register-local seconds. */
export async function ofdHealth(fn: FnDriver, now: number): Promise<OfdHealth> {
  const status = (await fn.execute(FN.getStatus, {})).value;
  if (status.phase !== 0x03 && status.phase !== 0x07) return { unsent: 0, level: 'ok', fn_warnings: status.warnings };
  const ofd = (await fn.execute(FN.getOfdStatus, {})).value;
  if (ofd.messageCount === 0) return { unsent: 0, level: 'ok', fn_warnings: status.warnings };
  const ageDays = Math.max(0, (now - ofd.firstFdTime) / 86400);
  const level: OfdHealthLevel = ageDays > OFD_BLOCK_DAYS ? 'blocked' : (ESCALATION.find((e) => ageDays >= e.fromDays)?.level ?? 'ok');
  return {
    unsent: ofd.messageCount,
    oldest_fd: ofd.firstFd,
    oldest_at: atolDateTime(ofd.firstFdTime),
    oldest_age_days: Math.floor(ageDays * 10) / 10,
    days_left: Math.max(0, Math.floor(OFD_BLOCK_DAYS - ageDays)),
    level,
    fn_warnings: status.warnings,
  };
}
