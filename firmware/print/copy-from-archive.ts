/**
 * A copy of a fiscal document by FD number, rebuilt from the FN archive (45h/46h,
 * fn-protocol §4.4) and printed in the document's own layout under "КОПИЯ" (issue 4 point 3).
 * Pure: the archived TLV in, a print request out. Everything printed comes from the stored
 * tags — numbers, FPD, date, seller, items — so the copy shows what was fiscalized even
 * after a re-registration; the configuration fills only what the document does not carry.
 * A document without the tags every FD has (1040, 1012, 1038, 1041, 1077) is refused with
 * an error rather than printed with made-up numbers and a QR code that lies.
 */
import type { RegistrationConfig } from '../config/device-config.ts';
import { KassaError } from '../core/kassa-error.ts';
import { fpdFromTag1077 } from '../fiscal/fpd-tag.ts';
import { correctionReceiptFromTlv, receiptFromTlv } from '../fiscal/receipt-from-tlv.ts';
import { FD_TYPE, isRegistrationReport } from '../fiscal/tag-table.ts';
import type { TlvNode } from '../fiscal/tlv-codec.ts';
import type { Job, ServiceJob } from '../jobs/job.ts';
import type { FiscalAttributes } from '../jobs/job-result.ts';
import type { PrintRequest } from './receipt-printer.ts';
import { registrationDetails } from './registration-details.ts';
import { reportDetails } from './report-details.ts';

/** 1054 of a correction receipt → its job type (fiscal-spec §7.4): a refund correction stays one. */
const CORRECTION_JOB_TYPE = {
  sell: 'sell_correction',
  sell_refund: 'sell_refund_correction',
  buy: 'buy_correction',
  buy_refund: 'buy_refund_correction',
} as const;

export interface ArchivedDocument {
  readonly fdType: number;
  readonly nodes: readonly TlvNode[];
}

export function copyRequest(copyJob: ServiceJob, archived: ArchivedDocument, registration: RegistrationConfig): PrintRequest {
  const top = new Map<number, TlvNode['value']>();
  for (const n of archived.nodes) if (!top.has(n.tag)) top.set(n.tag, n.value);
  const str = (tag: number): string | undefined => (typeof top.get(tag) === 'string' ? (top.get(tag) as string) : undefined);
  const num = (tag: number): number | undefined => (typeof top.get(tag) === 'number' ? (top.get(tag) as number) : undefined);
  const need = <T>(tag: number, value: T | undefined): T => {
    if (value === undefined) throw new KassaError('FN_PROTOCOL', `the archived document lacks tag ${tag}: no copy is printed from it`);
    return value;
  };
  const sign = top.get(1077);
  const receiptNumber = num(1042);
  const operationType = num(1054);
  const totalKopecks = num(1020);
  const fiscal: FiscalAttributes = {
    fdType: archived.fdType,
    fd: need(1040, num(1040)),
    fpd: fpdFromTag1077(need(1077, sign instanceof Uint8Array ? sign : undefined)),
    dateTime: need(1012, num(1012)),
    // A registration report belongs to no shift (it carries no 1038), and a settlement-state
    // report names one only when a shift is open (FFD Table 19: 1038 "sometimes required"); 0: none.
    shiftNumber: isRegistrationReport(archived.fdType) || archived.fdType === FD_TYPE.stateReport ? (num(1038) ?? 0) : need(1038, num(1038)),
    ...(receiptNumber !== undefined ? { receiptNumber } : {}),
    ...(operationType !== undefined ? { operationType } : {}),
    ...(totalKopecks !== undefined ? { totalKopecks } : {}),
    fnNumber: need(1041, str(1041)),
    rnm: str(1037) ?? registration.rnm,
    ofdInn: str(1017) ?? registration.ofdInn,
    fnsSite: str(1060) ?? registration.fnsSite,
  };
  const userName = str(1048) ?? registration.userName;
  const place = str(1187) ?? registration.place;
  const senderEmail = str(1117) ?? registration.senderEmail;
  const asRecorded: RegistrationConfig = {
    ...registration,
    inn: str(1018) ?? registration.inn,
    address: str(1009) ?? registration.address,
    rnm: fiscal.rnm,
    ...(userName !== undefined ? { userName } : {}),
    ...(place !== undefined ? { place } : {}),
    ...(senderEmail !== undefined ? { senderEmail } : {}),
  };
  // Reports print their contents under the heading, as the original did.
  const cashier = str(1021);
  const unconfirmedCount = num(1097);
  const firstUnconfirmedDate = num(1098);
  const details = [
    ...reportDetails({
      fdType: archived.fdType,
      ...(cashier !== undefined ? { cashier } : {}),
      ...(unconfirmedCount !== undefined ? { unconfirmedCount } : {}),
      ...(firstUnconfirmedDate !== undefined ? { firstUnconfirmedDate } : {}),
    }),
    // Registration, re-registration and close-FN reports: the parameters they were formed with.
    ...registrationDetails(archived.fdType, archived.nodes),
  ];
  return { job: documentJob(copyJob, archived), fiscal, registration: asRecorded, copy: true, details };
}

/** The document as a job the layout knows: a receipt, a correction receipt, or (reports) the copy job itself. */
function documentJob(copyJob: ServiceJob, archived: ArchivedDocument): Job {
  if (archived.fdType === FD_TYPE.receipt) {
    const receipt = receiptFromTlv(archived.nodes);
    return { id: copyJob.id, type: receipt.operation, receipt, electronic: false };
  }
  if (archived.fdType === FD_TYPE.correctionReceipt) {
    const correction = correctionReceiptFromTlv(archived.nodes);
    const type = CORRECTION_JOB_TYPE[correction.operation];
    return { id: copyJob.id, type, correction, electronic: false };
  }
  return copyJob;
}
