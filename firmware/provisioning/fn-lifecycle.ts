/**
 * The FN's life by command (issue 12 §3): registration (fn-protocol §4.4/§4.5, report type
 * 0, phase 1 → 2), re-registration with its reasons (type 2; type 1 after an FN
 * replacement), and closing the fiscal archive (04h/05h, §4.4.3; only with every document
 * confirmed by the OFD, else a refusal naming the backlog).
 *
 * Reasons are a table: FFD 1.05 sends one code (fn-protocol Table 39, tag 1101), FFD 1.2 a
 * bit mask (tag 1205, FFD 1.2 "коды причин изменения сведений о ККТ"; bit 0 FN replacement,
 * 1 OFD, 2 user name, 3 address/place, 7 tax systems, 31 other reasons — every bit checked
 * against public copies of the FFD table: firmware/fiscal/kkt-change-reasons.ts, KKT_CHANGE_BIT).
 */
import type { Fiscalized, RegistrationChange } from '../../drivers/fn/fn-documents.ts';
import type { FnFace } from '../../drivers/fn/fn-face.ts';
import type { RegistrationConfig } from '../config/device-config.ts';
import { KassaError } from '../core/kassa-error.ts';
import type { TlvNode } from '../fiscal/tlv-codec.ts';
import { registrationReport } from '../pipeline/registration-report.ts';

export const REREGISTRATION_REASONS = {
  fn_replacement: { code105: 1, bit1205: 0 },
  ofd: { code105: 2, bit1205: 1 },
  user_name: { code105: 3, bit1205: 2 },
  address: { code105: 3, bit1205: 3 },
  tax_systems: { code105: 4, bit1205: 7 },
  settings: { code105: 4, bit1205: 31 },
} as const;
export type ReregistrationReason = keyof typeof REREGISTRATION_REASONS;
export const isReason = (r: unknown): r is ReregistrationReason => typeof r === 'string' && Object.hasOwn(REREGISTRATION_REASONS, r);

/** The reasons a change of registration data needs, from the old and new data. */
export function reasonsFor(before: RegistrationConfig, after: RegistrationConfig): ReregistrationReason[] {
  const reasons: ReregistrationReason[] = [];
  if (before.ofdInn !== after.ofdInn || before.ofdName !== after.ofdName) reasons.push('ofd');
  if (before.userName !== after.userName) reasons.push('user_name');
  if (before.address !== after.address || before.place !== after.place) reasons.push('address');
  if (before.taxSystems.join() !== after.taxSystems.join()) reasons.push('tax_systems');
  if (before.internet !== after.internet || before.senderEmail !== after.senderEmail || before.fnsSite !== after.fnsSite) reasons.push('settings');
  return reasons;
}

export interface RegistrationOutcome extends Fiscalized {
  readonly fnNumber: string;
  readonly reportType: 0 | 1 | 2;
  readonly reasons: readonly ReregistrationReason[];
  /** The data as the report carried it. */
  readonly registration: { readonly inn: string; readonly rnm: string; readonly ffd: string; readonly address: string; readonly taxSystems: readonly string[]; readonly ofdInn: string };
}

export const asFormed = (reg: RegistrationConfig): RegistrationOutcome['registration'] => ({ inn: reg.inn, rnm: reg.rnm, ffd: reg.ffd, address: reg.address, taxSystems: reg.taxSystems, ofdInn: reg.ofdInn });

/** The reasons as the FN takes them (RegistrationChange): one tag 1101 code, or the tag 1205 bits. */
export function registrationChange(reasons: readonly ReregistrationReason[]): RegistrationChange {
  const first = reasons[0];
  if (first === undefined) throw new TypeError('a re-registration needs at least one reason');
  return {
    reportType: reasons.includes('fn_replacement') ? 1 : 2,
    // FFD 1.05 carries one code (tag 1101): the first reason named.
    reasonCode105: REREGISTRATION_REASONS[first].code105,
    reasonBits12: reasons.reduce((m, x) => (m | (1 << REREGISTRATION_REASONS[x].bit1205)) >>> 0, 0),
  };
}

/** Registration report (type 0). */
export async function register(fn: FnFace, reg: RegistrationConfig, at: number, cashier: readonly TlvNode[]): Promise<RegistrationOutcome> {
  const { fnNumber } = await fn.status();
  const r = await fn.register(registrationReport(reg, at, cashier));
  return { ...r, fnNumber, reportType: 0, reasons: [], registration: asFormed(reg) };
}

/** Re-registration: type 1 on a new FN after a replacement, type 2 otherwise; the shift must be closed. */
export async function reregister(fn: FnFace, reg: RegistrationConfig, at: number, cashier: readonly TlvNode[], reasons: readonly ReregistrationReason[]): Promise<RegistrationOutcome> {
  const change = registrationChange(reasons);
  const { fnNumber } = await fn.status();
  const r = await fn.reregister(registrationReport(reg, at, cashier), change);
  return { ...r, fnNumber, reportType: change.reportType, reasons, registration: asFormed(reg) };
}

/** A refused archive close: documents still wait for the OFD (issue 12 §3). */
export class BacklogRefusal extends KassaError {
  constructor(
    readonly unsent: number,
    readonly oldestFd: number,
  ) {
    super('OFD_BACKLOG', `${unsent} document(s) have not reached the OFD (the oldest is FD ${oldestFd}): the archive can be closed only once the OFD has confirmed every one`);
  }
}

/** Throws BacklogRefusal while any document waits for the OFD (20h). */
export async function refuseWithBacklog(fn: FnFace): Promise<void> {
  const ofd = await fn.ofdStatus();
  if (ofd && ofd.messageCount > 0) throw new BacklogRefusal(ofd.messageCount, ofd.firstFd);
}

/** Closes the fiscal archive (04h, 07h cashier, 05h); refuses while documents wait for the OFD. */
export async function closeArchive(fn: FnFace, rnm: string, at: number, cashier: readonly TlvNode[], ffd: RegistrationConfig['ffd']): Promise<Fiscalized & { readonly fnNumber: string }> {
  const { fnNumber } = await fn.status();
  await refuseWithBacklog(fn);
  const r = await fn.closeArchive(ffd, at, rnm, cashier);
  return { ...r, fnNumber };
}
