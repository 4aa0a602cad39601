/**
 * The register's health as one JSON object (issue 3; issue 5 adds the OFD backlog): on the
 * retained status topic, in logs, and in the debug console. Every field is documented in
 * firmware/jobs/README.md "Status".
 */
import type { FnFace } from '../../drivers/fn/fn-face.ts';
import { PHASE } from '../../drivers/fn/fn-status-flags.ts';
import { atolDateTime } from '../core/local-time.ts';
import type { JobLedger } from '../jobs/job-ledger.ts';
import type { ShiftKeeper } from '../pipeline/shift-keeper.ts';
import type { OfdHealth } from '../ofd/ofd-health.ts';

export interface DeviceStatus {
  readonly version: 1;
  readonly state: 'online' | 'offline';
  readonly device_id: string;
  readonly timestamp: string;
  readonly fn?: {
    readonly number: string;
    readonly phase: number;
    readonly warnings: number;
    readonly last_fd: number;
    readonly last_document: string;
  };
  readonly fn_error?: string;
  readonly shift?: { readonly open: boolean; readonly number: number; readonly opened_at?: string; readonly age_minutes?: number };
  readonly ofd?: OfdHealth;
  readonly jobs: Record<string, number> & { readonly queued: number };
  readonly links: Record<string, unknown>;
}

export interface StatusSources {
  readonly deviceId: string;
  readonly fn: FnFace;
  readonly shifts: ShiftKeeper;
  readonly ledger: JobLedger;
  readonly queued: () => number;
  readonly now: () => number;
  readonly links: () => Record<string, unknown>;
  readonly ofd: () => Promise<OfdHealth>;
}

export async function collectStatus(s: StatusSources): Promise<DeviceStatus> {
  const base = { version: 1 as const, state: 'online' as const, device_id: s.deviceId, timestamp: atolDateTime(s.now()), jobs: { ...s.ledger.counts(), queued: s.queued() }, links: s.links() };
  try {
    const st = await s.fn.status();
    const fn = {
      number: st.fnNumber,
      phase: st.phase,
      warnings: st.warnings,
      last_fd: st.lastFd,
      last_document: atolDateTime(st.lastDocumentTime),
    };
    const ofd = await s.ofd();
    if (st.phase !== PHASE.fiscal) return { ...base, fn, ofd };
    const shift = await s.shifts.current();
    const now = s.now();
    return {
      ...base,
      fn,
      ofd,
      shift: {
        open: shift.open,
        number: shift.number,
        ...(shift.openedAt !== undefined ? { opened_at: atolDateTime(shift.openedAt), age_minutes: Math.floor((now - shift.openedAt) / 60) } : {}),
      },
    };
  } catch (e) {
    return { ...base, fn_error: e instanceof Error ? e.message : String(e) };
  }
}
