/**
 * A copy of a fiscal document by FD number, rebuilt from the FN archive (45h/46h,
 * fn-protocol §4.4) and printed in the document's own layout under "КОПИЯ" (issue 4 point 3).
 * Pure: the archived TLV in, a print request out. Everything printed comes from the stored
 * tags — numbers, FPD, date, seller, items — so the copy shows what was fiscalized even
 * after a re-registration; the configuration fills only what the document does not carry.
 */
import type { RegistrationConfig } from '../config/device-config.ts';
import { fpdFromTag1077 } from '../fiscal/fpd-tag.ts';
import { correctionReceiptFromTlv, receiptFromTlv } from '../fiscal/receipt-from-tlv.ts';
import { FD_TYPE } from '../fiscal/tag-table.ts';
import type { TlvNode } from '../fiscal/tlv-codec.ts';
import type { Job, ServiceJob } from '../jobs/job.ts';
import type { FiscalAttributes } from '../jobs/job-result.ts';
import type { PrintRequest } from './receipt-printer.ts';

export interface ArchivedDocument {
  readonly fdType: number;
  readonly nodes: readonly TlvNode[];
}

export function copyRequest(copyJob: ServiceJob, archived: ArchivedDocument, registration: RegistrationConfig): PrintRequest {
  const top = new Map<number, TlvNode['value']>();
  for (const n of archived.nodes) if (!top.has(n.tag)) top.set(n.tag, n.value);
  const str = (tag: number): string | undefined => (typeof top.get(tag) === 'string' ? (top.get(tag) as string) : undefined);
  const num = (tag: number): number | undefined => (typeof top.get(tag) === 'number' ? (top.get(tag) as number) : undefined);
  const sign = top.get(1077);
  const receiptNumber = num(1042);
  const operationType = num(1054);
  const totalKopecks = num(1020);
  const fiscal: FiscalAttributes = {
    fdType: archived.fdType,
    fd: num(1040) ?? 0,
    fpd: sign instanceof Uint8Array ? fpdFromTag1077(sign) : 0,
    dateTime: num(1012) ?? 0,
    shiftNumber: num(1038) ?? 0,
    ...(receiptNumber !== undefined ? { receiptNumber } : {}),
    ...(operationType !== undefined ? { operationType } : {}),
    ...(totalKopecks !== undefined ? { totalKopecks } : {}),
    fnNumber: str(1041) ?? '',
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
  return { job: documentJob(copyJob, archived), fiscal, registration: asRecorded, copy: true };
}

/** The document as a job the layout knows: a receipt, a correction receipt, or (reports) the copy job itself. */
function documentJob(copyJob: ServiceJob, archived: ArchivedDocument): Job {
  if (archived.fdType === FD_TYPE.receipt) {
    const receipt = receiptFromTlv(archived.nodes);
    return { id: copyJob.id, type: receipt.operation, receipt, electronic: false };
  }
  if (archived.fdType === FD_TYPE.correctionReceipt) {
    const correction = correctionReceiptFromTlv(archived.nodes);
    const type = correction.operation === 'buy' || correction.operation === 'buy_refund' ? 'buy_correction' : 'sell_correction';
    return { id: copyJob.id, type, correction, electronic: false };
  }
  return copyJob;
}
