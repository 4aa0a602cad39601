/**
 * The document cycles the register runs in the FN (fn-protocol §4.3.1): start → 07h… →
 * form, for registration, shifts, receipts and the settlement-state report. FnFace
 * (fn-face.ts) offers them to the firmware; tests call them on a driver directly.
 *
 * The TLV is encoded before the FN is touched, so a value the FFD cannot carry never opens
 * a document. When the FN refuses a step (an FnError: nothing was formed) the open
 * document is cancelled with 06h; when the FN does not answer, it is left as it is, because
 * the document may have been formed: boot reconciliation decides (DESIGN.md §1 inv. 2).
 */
import { ffdVersionCode, type FfdVersion } from '../../firmware/fiscal/ffd-version.ts';
import type { BuiltDocument } from '../../firmware/fiscal/receipt-builder.ts';
import { FD_TYPE } from '../../firmware/fiscal/tag-table.ts';
import { encodeTlv, type TlvNode } from '../../firmware/fiscal/tlv-codec.ts';
import { FN } from './fn-commands.ts';
import type { FnDriver } from './fn-driver.ts';
import { FnError } from './fn-error.ts';
import { sendDocumentTlv } from './fn-procedures.ts';

export interface Fiscalized {
  readonly fd: number;
  readonly fpd: number;
}

export interface RegistrationRequest {
  readonly ffd: FfdVersion;
  /** Register-local seconds. */
  readonly at: number;
  readonly inn: string;
  readonly rnm: string;
  /** Bit mask of tag 1062 (fn-protocol Table 36). */
  readonly taxSystems: number;
  /** Work-mode bits (fn-protocol Table 37/38). */
  readonly workMode: number;
  /** Extended flags (fn-protocol Table 51); FFD 1.2 only. */
  readonly extendedFlags: number;
  readonly ofdInn: string;
  /** The register's own tags of the report: 1048, 1009, 1187, 1013, 1060, 1117, 1046, 1188, 1189… */
  readonly tlv: readonly TlvNode[];
}

/**
 * What a re-registration report changes (fn-protocol §4.4.2, §4.5.2): report type 1 on a new
 * FN after a replacement, 2 otherwise; the reasons as each FFD carries them — one tag 1101
 * code in FFD 1.05 (Table 39), a tag 1205 bit mask in FFD 1.2.
 */
export interface RegistrationChange {
  readonly reportType: 1 | 2;
  readonly reasonCode105: number;
  readonly reasonBits12: number;
}

/**
 * Registration report (type 0), or a re-registration report when `change` is given:
 * 02h/03h on FFD 1.05, A2h/A3h on FFD 1.2 (fn-protocol §4.4, §4.5).
 */
export async function registerFn(fn: FnDriver, r: RegistrationRequest, change?: RegistrationChange): Promise<Fiscalized> {
  // 03h has no OFD INN parameter: in FFD 1.05 the register sends 1017 itself.
  const nodes = r.ffd === '1.05' ? [...r.tlv, { tag: 1017, value: r.ofdInn }] : r.tlv;
  const data = encodeTlv(nodes, r.ffd);
  const reportType = change?.reportType ?? 0;
  const common = { dateTime: r.at, inn: r.inn, rnm: r.rnm, taxSystems: r.taxSystems, workMode: r.workMode };
  if (r.ffd === '1.2') {
    await fn.execute(FN.startRegistration12, { reportType, ffdVersion: ffdVersionCode('1.2') });
    const formParams = { ...common, extendedFlags: r.extendedFlags, ofdInn: r.ofdInn, ...(change ? { reasonCodes: change.reasonBits12 } : {}) };
    return cycle(fn, data, async () => (await fn.execute(FN.formRegistration12, formParams)).value);
  }
  await fn.execute(FN.startRegistration, { reportType });
  const formParams = { ...common, ...(change ? { reason: change.reasonCode105 } : {}) };
  return cycle(fn, data, async () => (await fn.execute(FN.formRegistration, formParams)).value);
}

/** Closes the fiscal archive (04h, 07h with the cashier's tags, 05h; fn-protocol §4.4.3). */
export async function closeFiscalArchive(fn: FnDriver, ffd: FfdVersion, at: number, rnm: string, tlv: readonly TlvNode[]): Promise<Fiscalized> {
  const data = encodeTlv(tlv, ffd);
  await fn.execute(FN.startCloseFn, {});
  return cycle(fn, data, async () => (await fn.execute(FN.closeFn, { dateTime: at, rnm })).value);
}

export interface ShiftResult extends Fiscalized {
  readonly shiftNumber: number;
  readonly warnings: number | undefined;
}

/** Open-shift report (11h, 07h, 12h). `tlv`: cashier 1021/1203 and the like. */
export async function openShift(fn: FnDriver, ffd: FfdVersion, at: number, tlv: readonly TlvNode[]): Promise<ShiftResult> {
  const data = encodeTlv(tlv, ffd);
  await fn.execute(FN.startOpenShift, { dateTime: at });
  return cycle(fn, data, async () => {
    const { value } = await fn.execute(FN.openShift, {});
    return { shiftNumber: value.shiftNumber, fd: value.fd, fpd: value.fpd, warnings: value.warnings };
  });
}

/** Close-shift report (13h, 07h, 14h). */
export async function closeShift(fn: FnDriver, ffd: FfdVersion, at: number, tlv: readonly TlvNode[]): Promise<ShiftResult> {
  const data = encodeTlv(tlv, ffd);
  await fn.execute(FN.startCloseShift, { dateTime: at });
  return cycle(fn, data, async () => {
    const { value } = await fn.execute(FN.closeShift, {});
    return { shiftNumber: value.shiftNumber, fd: value.fd, fpd: value.fpd, warnings: value.warnings };
  });
}

export interface ReceiptResult extends Fiscalized {
  readonly receiptNumber: number;
}

/** Receipt (15h) or correction receipt (17h), its TLV, then 16h with the total and operation. */
export async function formReceipt(fn: FnDriver, ffd: FfdVersion, at: number, doc: BuiltDocument): Promise<ReceiptResult> {
  const data = encodeTlv(doc.tlv, ffd);
  const start = doc.fdType === FD_TYPE.correctionReceipt ? FN.startCorrection : FN.startReceipt;
  await fn.execute(start, { dateTime: at });
  return cycle(fn, data, async () => (await fn.execute(FN.formReceipt, { dateTime: at, operationType: doc.operationType, total: doc.totalKopecks })).value);
}

export interface StateReportResult extends Fiscalized {
  readonly unconfirmedCount: number;
  readonly firstUnconfirmedDate: number;
}

/** Settlement-state report (18h, optional 07h, 19h). */
export async function formStateReport(fn: FnDriver, ffd: FfdVersion, at: number, tlv: readonly TlvNode[]): Promise<StateReportResult> {
  const data = encodeTlv(tlv, ffd);
  await fn.execute(FN.startStateReport, { dateTime: at });
  return cycle(fn, data, async () => (await fn.execute(FN.formStateReport, {})).value);
}

/** Sends the data and forms the open document; cancels it if the FN refuses a step. */
export async function cycle<T>(fn: FnDriver, data: Uint8Array, form: () => Promise<T>): Promise<T> {
  try {
    if (data.length > 0) await sendDocumentTlv(fn, data);
    return await form();
  } catch (e) {
    if (e instanceof FnError) await fn.execute(FN.cancelDocument, {}).catch(() => undefined);
    throw e;
  }
}
