/**
 * What the FN emulator remembers, as plain data: the small device state and the archive
 * of formed documents. The state machine (fn-device.ts) changes it; fn-state-store.ts makes
 * every change durable as one record.
 */
import type { FfdVersion } from '../../../firmware/fiscal/ffd-version.ts';
import { PHASE, type OpenDocumentKind, type Phase } from '../fn-status-flags.ts';

export interface Registration {
  readonly ffd: FfdVersion;
  readonly inn: string;
  readonly rnm: string;
  readonly taxSystems: number;
  readonly workMode: number;
  readonly extendedFlags: number;
  readonly ofdInn: string;
  readonly fd: number;
}

export interface OpenDocument {
  readonly kind: OpenDocumentKind;
  /** DATE_TIME of the start command, register-local seconds. */
  readonly startedAt: number;
  /** Report type of 02h/A2h (0 registration, 1/2 re-registration). */
  readonly reportType?: number;
  /** FFD chosen by A2h for the registration in progress. */
  readonly ffd?: FfdVersion;
}

export interface Shift {
  readonly open: boolean;
  readonly number: number;
  readonly openedAt: number;
  /** Receipts in this shift (the last receipt number). */
  readonly receipts: number;
  /** Fiscal documents formed in this shift. */
  readonly documents: number;
}

/** Small state, snapshotted whole with every record. */
export interface FnState {
  readonly fnNumber: string;
  readonly phase: Phase;
  readonly registration?: Registration;
  readonly registrations: number;
  readonly lastFd: number;
  /** DATE_TIME of the last FD, register-local seconds (0 = none yet). */
  readonly lastDocumentTime: number;
  /** The emulator's own timer (its clock, ms) when the last FD was formed: the 17h rule. */
  readonly lastTimerMs: number;
  readonly shift: Shift;
  readonly validUntil: number;
  /** Warning bits 4–6 set by OFD confirmations (fn-protocol Table 9). */
  readonly ofdWarnings: number;
  /** The document between its start command and its form command (or 06h). */
  readonly document?: OpenDocument;
}

/** One formed document as the archive keeps it. */
export interface ArchivedDocument {
  readonly fd: number;
  readonly fdType: number;
  readonly time: number;
  readonly fpd: number;
  /** The whole STLV value: FN-formed tags then the register's tags, as 45h/46h return them. */
  readonly tlv: Uint8Array;
  /** The fixed 40h struct of this document (fn-protocol §5.1), already encoded. */
  readonly summary: Uint8Array;
  /** False for documents that never go to the OFD. */
  readonly forOfd: boolean;
}

export interface OfdAck {
  readonly fd: number;
  readonly time: number;
  readonly operatorSign: Uint8Array;
}

export function initialState(fnNumber: string, validUntil: number): FnState {
  return {
    fnNumber,
    phase: PHASE.readyForRegistration,
    registrations: 0,
    lastFd: 0,
    lastDocumentTime: 0,
    lastTimerMs: 0,
    shift: { open: false, number: 0, openedAt: 0, receipts: 0, documents: 0 },
    validUntil,
    ofdWarnings: 0,
  };
}
