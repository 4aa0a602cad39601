/**
 * The fixed struct that 40h returns after the document type and the OFD-receipt flag, by
 * document type and FFD mode (fn-protocol §5.1, Tables 180–188). The spec defines none for
 * correction receipts; 50h's wording puts them with receipts (T.184), and so do we.
 */
import type { FfdVersion } from '../../firmware/fiscal/ffd-version.ts';
import { KassaError } from '../../firmware/core/kassa-error.ts';
import { decodeLayout, type Layout, type LayoutValue } from './fn-layout.ts';

const HEAD = [['dateTime', 'datetime'], ['fd', 'u32'], ['fpd', 'u32']] as const;
/** T.184 */
export const RECEIPT_SUMMARY = [...HEAD, ['operationType', 'u8'], ['total', 'u40']] as const;
/** T.185, T.186 */
export const SHIFT_SUMMARY = [...HEAD, ['shiftNumber', 'u16']] as const;
/** T.180 (FFD 1.0/1.05) */
const REGISTRATION_105 = [...HEAD, ['inn', { ascii: 12 }], ['rnm', { ascii: 20 }], ['taxSystems', 'u8'], ['workMode', 'u8']] as const;
/** T.181 (FN-1.1 and later: FFD 1.1/1.2) */
const REGISTRATION_12 = [...REGISTRATION_105, ['extendedFlags', 'u8'], ['ofdInn', { ascii: 12 }]] as const;
/** T.187 */
export const CLOSE_FN_SUMMARY = [...HEAD, ['inn', { ascii: 12 }], ['rnm', { ascii: 20 }]] as const;
/** T.188 */
export const STATE_REPORT_SUMMARY = [...HEAD, ['unconfirmedCount', 'u32'], ['firstUnconfirmedDate', 'date']] as const;

const REGISTRATION: Readonly<Record<FfdVersion, { registration: Layout; reregistration: Layout }>> = {
  '1.05': { registration: REGISTRATION_105, reregistration: [...REGISTRATION_105, ['reason', 'u8']] }, // T.180, T.182
  '1.2': { registration: REGISTRATION_12, reregistration: [...REGISTRATION_12, ['reasonCodes', 'u32']] }, // T.181, T.183
};

/** Layout of the 40h struct for a document type in an FN working in `ffd` mode. */
export function archiveSummaryLayout(fdType: number, ffd: FfdVersion): Layout | undefined {
  switch (fdType) {
    case 1:
      return REGISTRATION[ffd].registration;
    case 11:
      return REGISTRATION[ffd].reregistration;
    case 2:
    case 5:
      return SHIFT_SUMMARY;
    case 3:
    case 31:
    case 4:
    case 41:
      return RECEIPT_SUMMARY;
    case 6:
      return CLOSE_FN_SUMMARY;
    case 21:
      return STATE_REPORT_SUMMARY;
    default:
      return undefined;
  }
}

/**
 * The 40h struct decoded by document type (fn-protocol §5.1): every kind carries its date,
 * FD number and FPD; receipts add their operation and total, shift reports their shift.
 */
export type ArchiveSummary =
  | ({ readonly kind: 'receipt'; readonly fdType: number } & LayoutValue<typeof RECEIPT_SUMMARY>)
  | ({ readonly kind: 'shift'; readonly fdType: number } & LayoutValue<typeof SHIFT_SUMMARY>)
  | ({ readonly kind: 'stateReport'; readonly fdType: number } & LayoutValue<typeof STATE_REPORT_SUMMARY>)
  | ({ readonly kind: 'closeFn'; readonly fdType: number } & LayoutValue<typeof CLOSE_FN_SUMMARY>)
  | ({ readonly kind: 'registration'; readonly fdType: number } & LayoutValue<typeof HEAD>);

/** Decodes the 40h struct of a document; a type without a known struct is an FN_PROTOCOL error, never a guess. */
export function decodeArchiveSummary(fdType: number, ffd: FfdVersion, data: Uint8Array): ArchiveSummary {
  const layout = archiveSummaryLayout(fdType, ffd);
  if (!layout) throw new KassaError('FN_PROTOCOL', `40h: no known struct for FD type ${fdType}`);
  switch (layout) {
    case RECEIPT_SUMMARY:
      return { kind: 'receipt', fdType, ...decodeLayout(RECEIPT_SUMMARY, data) };
    case SHIFT_SUMMARY:
      return { kind: 'shift', fdType, ...decodeLayout(SHIFT_SUMMARY, data) };
    case STATE_REPORT_SUMMARY:
      return { kind: 'stateReport', fdType, ...decodeLayout(STATE_REPORT_SUMMARY, data) };
    case CLOSE_FN_SUMMARY:
      return { kind: 'closeFn', fdType, ...decodeLayout(CLOSE_FN_SUMMARY, data) };
    default:
      // Registration structs differ by FFD; the head is what the register reads of them.
      decodeLayout(layout, data);
      return { kind: 'registration', fdType, ...decodeLayout(HEAD, data.subarray(0, 13)) };
  }
}
