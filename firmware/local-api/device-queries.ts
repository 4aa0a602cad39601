/**
 * The ATOL query tasks (getDeviceStatus, getShiftStatus, getFnInfo, ofdExchangeStatus)
 * answered from the register's status (firmware/status/device-status.ts). Pure. Answer
 * shapes follow the ATOL web requests model of F-Lab Market (izzatbek1988/TestMarket,
 * AtolDrivers/WebRequests/AtolWebRequestsDriver.cs) (deviceStatus, shiftStatus,
 * fnInfo, status.notSent*); README.md lists which fields are filled and which are not.
 */
import type { DeviceStatus } from '../status/device-status.ts';
import { isoLocal } from './atol-results.ts';
import type { QueryTask } from './atol-tasks.ts';
import { PHASE } from '../../drivers/fn/fn-status-flags.ts';

/** What the status does not say. */
export interface QueryContext {
  readonly ffd: string;
  /** The print queue waits for the printer (paper, cover, offline). */
  readonly printerBlocked: boolean;
  /** The queue cannot go on by itself (printer or FN in an uncertain state). */
  readonly queueBlocked: boolean;
}

/** A shift older than this is expired for the FN (fn-protocol: 24 h). */
const SHIFT_MINUTES = 24 * 60;

export function queryAnswer(task: QueryTask, s: DeviceStatus, ctx: QueryContext): Record<string, unknown> {
  const shiftState = !s.shift?.open ? 'closed' : (s.shift.age_minutes ?? 0) >= SHIFT_MINUTES ? 'expired' : 'opened';
  switch (task) {
    case 'getShiftStatus':
      return { shiftStatus: { state: shiftState, number: s.shift?.number ?? 0, ...(s.shift?.opened_at ? { openedDateTime: isoLocal(s.shift.opened_at) } : {}) } };
    case 'getDeviceStatus':
      return {
        deviceStatus: {
          shift: shiftState,
          currentDateTime: isoLocal(s.timestamp),
          blocked: ctx.queueBlocked,
          paperPresent: !ctx.printerBlocked,
          fiscal: s.fn?.phase === PHASE.fiscal,
          fnFiscal: s.fn?.phase === PHASE.fiscal,
          fnPresent: s.fn !== undefined,
          ...(s.fn_error !== undefined ? { fnError: s.fn_error } : {}),
        },
      };
    case 'getFnInfo':
      return {
        fnInfo: {
          serial: s.fn?.number ?? '',
          ffdVersion: ctx.ffd === '1.2' ? '120' : '105',
          livePhase: s.fn?.phase_name ?? 'unknown',
          fiscalDocumentNumber: s.fn?.last_fd ?? 0,
          warnings: { fnWarningFlags: s.fn?.warnings ?? 0 },
        },
      };
    case 'ofdExchangeStatus':
      return {
        status: {
          notSentCount: s.ofd?.unsent ?? 0,
          ...(s.ofd?.oldest_fd !== undefined ? { notSentFirstDocNumber: s.ofd.oldest_fd } : {}),
          ...(s.ofd?.oldest_at !== undefined ? { notSentFirstDocDateTime: isoLocal(s.ofd.oldest_at) } : {}),
        },
      };
  }
}
