/**
 * OFD backlog health (issue 5 §4): unsent documents, the oldest one and its age, the days
 * left before the FN's 30-day block (fn-protocol Table 5, 14h), the FN's warning flags, and
 * an escalation level at 2, 20 and 27 days.
 */
import type { FnFace } from '../../drivers/fn/fn-face.ts';
import { OFD_BLOCK_DAYS, talksToOfd } from '../../drivers/fn/fn-status-flags.ts';
import { atolDateTime } from '../core/local-time.ts';

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
export async function ofdHealth(fn: FnFace, now: number): Promise<OfdHealth> {
  const status = await fn.status();
  if (!talksToOfd(status.phase)) return { unsent: 0, level: 'ok', fn_warnings: status.warnings };
  const ofd = await fn.ofdStatus();
  if (!ofd || ofd.messageCount === 0) return { unsent: 0, level: 'ok', fn_warnings: status.warnings };
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
