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
import { FN } from '../../drivers/fn/fn-commands.ts';
import { PHASE } from '../../drivers/fn/fn-status-flags.ts';
import type { FnDriver } from '../../drivers/fn/fn-driver.ts';
import type { RegistrationConfig } from '../config/device-config.ts';
import { ffdVersionCode } from '../fiscal/ffd-version.ts';
import { encodeTlv, type TlvNode } from '../fiscal/tlv-codec.ts';
import { cycle, registerFn, type Fiscalized, type RegistrationRequest } from '../../drivers/fn/fn-documents.ts';
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

/** Phases by name (fn-protocol Table 6): the one table in drivers/fn, under the name this folder uses. */
export const FN_PHASE = PHASE;

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

const asFormed = (reg: RegistrationConfig): RegistrationOutcome['registration'] => ({ inn: reg.inn, rnm: reg.rnm, ffd: reg.ffd, address: reg.address, taxSystems: reg.taxSystems, ofdInn: reg.ofdInn });

/** Registration report (type 0). */
export async function register(fn: FnDriver, reg: RegistrationConfig, at: number, cashier: readonly TlvNode[]): Promise<RegistrationOutcome> {
  const status = (await fn.execute(FN.getStatus, {})).value;
  const r = await registerFn(fn, registrationReport(reg, at, cashier));
  return { ...r, fnNumber: status.fnNumber, reportType: 0, reasons: [], registration: asFormed(reg) };
}

/** Re-registration: type 1 on a new FN after a replacement, type 2 otherwise; the shift must be closed. */
export async function reregister(fn: FnDriver, reg: RegistrationConfig, at: number, cashier: readonly TlvNode[], reasons: readonly ReregistrationReason[]): Promise<RegistrationOutcome> {
  if (reasons.length === 0) throw new TypeError('a re-registration needs at least one reason');
  const reportType = reasons.includes('fn_replacement') ? 1 : 2;
  const status = (await fn.execute(FN.getStatus, {})).value;
  const req: RegistrationRequest = registrationReport(reg, at, cashier);
  const data = encodeTlv(req.ffd === '1.05' ? [...req.tlv, { tag: 1017, value: req.ofdInn }] : req.tlv, req.ffd);
  const common = { dateTime: at, inn: req.inn, rnm: req.rnm, taxSystems: req.taxSystems, workMode: req.workMode };
  let r: Fiscalized;
  if (req.ffd === '1.2') {
    await fn.execute(FN.startRegistration12, { reportType, ffdVersion: ffdVersionCode('1.2') });
    const bits = reasons.reduce((m, x) => (m | (1 << REREGISTRATION_REASONS[x].bit1205)) >>> 0, 0);
    r = await cycle(fn, data, async () => (await fn.execute(FN.formRegistration12, { ...common, extendedFlags: req.extendedFlags, ofdInn: req.ofdInn, reasonCodes: bits })).value);
  } else {
    await fn.execute(FN.startRegistration, { reportType });
    // FFD 1.05 carries one code (tag 1101): the first reason named.
    r = await cycle(fn, data, async () => (await fn.execute(FN.formRegistration, { ...common, reason: REREGISTRATION_REASONS[reasons[0]!].code105 })).value);
  }
  return { ...r, fnNumber: status.fnNumber, reportType, reasons, registration: asFormed(reg) };
}

export class BacklogRefusal extends Error {
  constructor(
    readonly unsent: number,
    readonly oldestFd: number,
  ) {
    super(`${unsent} document(s) have not reached the OFD (the oldest is FD ${oldestFd}): the archive can be closed only once the OFD has confirmed every one`);
  }
}

/** Closes the fiscal archive (04h, 07h cashier, 05h); refuses while documents wait for the OFD. */
export async function closeArchive(fn: FnDriver, rnm: string, at: number, cashier: readonly TlvNode[], ffd: RegistrationConfig['ffd']): Promise<Fiscalized & { readonly fnNumber: string }> {
  const status = (await fn.execute(FN.getStatus, {})).value;
  const ofd = (await fn.execute(FN.getOfdStatus, {})).value;
  if (ofd.messageCount > 0) throw new BacklogRefusal(ofd.messageCount, ofd.firstFd);
  await fn.execute(FN.startCloseFn, {});
  const r = await cycle(fn, encodeTlv(cashier, ffd), async () => (await fn.execute(FN.closeFn, { dateTime: at, rnm })).value);
  return { ...r, fnNumber: status.fnNumber };
}
