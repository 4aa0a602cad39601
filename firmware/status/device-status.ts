/**
 * The register's health as one JSON object (issue 3; issue 5 adds the OFD backlog): on the
 * retained status topic, in logs, and in the debug console. Every field is documented in
 * firmware/jobs/README.md "Status".
 */
import type { FnFace } from '../../drivers/fn/fn-face.ts';
import { PHASE, phaseName } from '../../drivers/fn/fn-status-flags.ts';
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
    /** The state code of fn-protocol Table 8 (1, 3, 7, 15). */
    readonly phase: number;
    /** The same phase as the spec numbers and the console names it: "phase 2: fiscal mode" (issue 11 §4). */
    readonly phase_name: string;
    readonly warnings: number;
    readonly last_fd: number;
    readonly last_document: string;
  };
  readonly fn_error?: string;
  readonly shift?: { readonly open: boolean; readonly number: number; readonly opened_at?: string; readonly age_minutes?: number };
  readonly ofd?: OfdHealth;
  readonly jobs: Record<string, number> & { readonly queued: number };
  readonly links: Record<string, unknown>;
  /** Registration state, FN expiry and resources, config and firmware versions (issue 12 §3). */
  readonly provisioning?: Record<string, unknown>;
  /** The running release and any update under way (firmware/update/; firmware/jobs/README.md "Status"). */
  readonly firmware: FirmwareStatus;
}

export interface FirmwareStatus {
  readonly version: string;
  readonly commit: string;
  /** The program slot it runs from, or null when not installed in one. */
  readonly slot: string | null;
  readonly update: { readonly id: string; readonly release: string; readonly phase: string; readonly chunks?: { readonly done: number; readonly of: number } } | null;
}

export interface StatusSources {
  readonly deviceId: string;
  readonly fn: FnFace;
  readonly shifts: ShiftKeeper;
  readonly ledger: JobLedger;
  readonly queued: () => number;
  readonly now: () => number;
  readonly links: () => Record<string, unknown>;
  readonly firmware: () => FirmwareStatus;
  readonly ofd: () => Promise<OfdHealth>;
  readonly provisioning?: () => Promise<Record<string, unknown>>;
}

export async function collectStatus(s: StatusSources): Promise<DeviceStatus> {
  const base = { version: 1 as const, state: 'online' as const, device_id: s.deviceId, timestamp: atolDateTime(s.now()), jobs: { ...s.ledger.counts(), queued: s.queued() }, links: s.links(), firmware: s.firmware() };
  try {
    const st = await s.fn.status();
    const fn = {
      number: st.fnNumber,
      phase: st.phase,
      phase_name: phaseName(st.phase),
      warnings: st.warnings,
      last_fd: st.lastFd,
      last_document: atolDateTime(st.lastDocumentTime),
    };
    const ofd = await s.ofd();
    const provisioning = s.provisioning ? { provisioning: await s.provisioning() } : {};
    if (st.phase !== PHASE.fiscal) return { ...base, fn, ofd, ...provisioning };
    const shift = await s.shifts.current();
    const now = s.now();
    return {
      ...base,
      fn,
      ofd,
      ...provisioning,
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
