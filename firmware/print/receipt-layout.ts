/**
 * What goes on paper (fiscal-spec §4.2, mandatory printed data): a pure function from a
 * fiscal document to lines and a QR string. The ESC/POS printer encodes these lines; the
 * text printers join them. Long names wrap; amounts are rubles.kopecks.
 */
import { withoutUndefined } from '../core/defined.ts';
import { atolDateTime } from '../core/local-time.ts';
import { fnsQrString } from '../fiscal/fns-qr.ts';
import { rublesText } from '../fiscal/money.ts';
import type { CorrectionReceipt, Receipt } from '../fiscal/receipt.ts';
import { buildCorrectionReceipt, buildReceipt } from '../fiscal/receipt-builder.ts';
import { correctionReceiptFromTlv, receiptFromTlv } from '../fiscal/receipt-from-tlv.ts';
import type { FfdVersion } from '../fiscal/ffd-version.ts';
import type { TlvNode } from '../fiscal/tlv-codec.ts';
import type { FiscalAttributes } from '../jobs/job-result.ts';
import type { Job } from '../jobs/job.ts';
import { CALCULATION_SIGN_WORDS, codeFor, MEASURES, PAYMENT_METHODS, PAYMENT_OBJECTS, PAYMENT_TYPES, TAX_SYSTEM_LABELS } from '../fiscal/receipt-codes.ts';
import { FD_TYPE, isRegistrationReport } from '../fiscal/tag-table.ts';
import { itemVat, printedTotals } from '../fiscal/vat-totals.ts';
import { agentPrintPairs } from '../fiscal/agent-tags.ts';
import { vatRate } from '../fiscal/vat-rates.ts';
import type { PrintRequest } from './receipt-printer.ts';

export interface PrintLine {
  readonly text: string;
  readonly align?: 'left' | 'center';
  readonly bold?: boolean;
}

export interface Layout {
  readonly lines: readonly PrintLine[];
  /** The FNS QR string, printed after the lines (receipts only). */
  readonly qr?: string;
}

/** Document names by FD type (fiscal-spec §2.2). */
const DOCUMENT_NAMES: Readonly<Record<number, string>> = {
  [FD_TYPE.receipt]: 'КАССОВЫЙ ЧЕК',
  [FD_TYPE.correctionReceipt]: 'КАССОВЫЙ ЧЕК КОРРЕКЦИИ',
  [FD_TYPE.openShift]: 'ОТЧЕТ ОБ ОТКРЫТИИ СМЕНЫ',
  [FD_TYPE.closeShift]: 'ОТЧЕТ О ЗАКРЫТИИ СМЕНЫ',
  [FD_TYPE.stateReport]: 'ОТЧЕТ О ТЕКУЩЕМ СОСТОЯНИИ РАСЧЕТОВ',
  [FD_TYPE.registration]: 'ОТЧЕТ О РЕГИСТРАЦИИ',
  [FD_TYPE.reregistration]: 'ОТЧЕТ ОБ ИЗМЕНЕНИИ ПАРАМЕТРОВ РЕГИСТРАЦИИ',
  [FD_TYPE.closeFn]: 'ОТЧЕТ О ЗАКРЫТИИ ФИСКАЛЬНОГО НАКОПИТЕЛЯ',
};

export function layoutDocument(req: PrintRequest, columns: number): Layout {
  const out: PrintLine[] = [];
  const text = (t: string, opts: Omit<PrintLine, 'text'> = {}): void => {
    for (const l of wrap(t, columns)) out.push({ text: l, ...opts });
  };
  const pair = (left: string, right: string): void => {
    if (left.length + right.length + 1 > columns) {
      text(left);
      // A value wider than the paper (a re-registration reason) wraps rather than overflows.
      if (right.length > columns) text(right);
      else out.push({ text: right.padStart(columns) });
    } else out.push({ text: `${left}${' '.repeat(columns - left.length - right.length)}${right}` });
  };
  const rule = (): void => void out.push({ text: '-'.repeat(columns) });
  const reg = req.registration;
  const f = req.fiscal;

  const job = req.job;
  const receipt = req.copy ? jobReceipt(job) : formedReceipt(job, f, reg.ffd);
  // The seller as the document carries it (1048, 1009, 1187, 1117); the registration for reports.
  const seller = { name: reg.userName, address: reg.address, place: reg.place, email: reg.senderEmail, ...withoutUndefined(receipt?.seller ?? {}) };

  if (req.copy || req.again) text('КОПИЯ', { align: 'center', bold: true });
  if (seller.name) text(seller.name, { align: 'center', bold: true });
  text(seller.address, { align: 'center' });
  if (seller.place) text(seller.place, { align: 'center' });
  pair('ИНН', reg.inn);
  rule();
  const title = req.title ?? (f ? (DOCUMENT_NAMES[f.fdType] ?? `ДОКУМЕНТ ${f.fdType}`) : undefined);
  if (title) text(title, { align: 'center', bold: true });
  if (f?.operationType !== undefined) text(CALCULATION_SIGN_WORDS[f.operationType] ?? '', { align: 'center', bold: true });
  for (const [label, value] of req.details ?? []) pair(label, value);
  if (receipt && f) {
    const c = 'correction' in receipt ? (receipt as CorrectionReceipt).correction : undefined;
    if (c) {
      pair('ТИП КОРРЕКЦИИ', c.type === 'self' ? 'САМОСТОЯТЕЛЬНО' : 'ПО ПРЕДПИСАНИЮ');
      pair('ДАТА РАСЧЕТА', atolDateTime(c.baseDate).slice(0, 10));
      if (c.baseNumber) pair('НОМЕР ПРЕДПИСАНИЯ', c.baseNumber);
      if (c.baseName) pair('ОСНОВАНИЕ КОРРЕКЦИИ', c.baseName);
    }
    // The receipt's agent sign (1057) heads the items, as it covers them all (agent-tags.ts).
    for (const [label, value] of agentPrintPairs(receipt.agent, 1057, undefined, receipt.supplierPhones)) pair(label, value);
    // The items the document carries (an FFD 1.05 correction has none): receipt.items is read from it.
    receipt.items.forEach((item, i) => {
      text(`${i + 1}. ${item.name}`);
      const unit = codeFor(MEASURES, item.measure, reg.ffd)?.label ?? '';
      pair(`  ${item.quantity} ${unit} x ${rublesText(item.priceKopecks)}`, `=${rublesText(item.sumKopecks)}`);
      const rate = vatRate(item.vat);
      // The item's VAT as its 1200 states it (an item-level fact, 0 included); none for 0 % and no VAT.
      if (rate) pair(`  ${rate.label}`, rate.totalIsItemSum ? '' : `=${rublesText(itemVat(item, rate))}`);
      const object = codeFor(PAYMENT_OBJECTS, item.paymentObject, reg.ffd)?.label ?? item.paymentObject;
      const method = codeFor(PAYMENT_METHODS, item.paymentMethod, reg.ffd)?.label ?? item.paymentMethod;
      text(`  ${object}, ${method}`);
      // An agent's item shows its sign, its agent data and its supplier (1222–1226).
      for (const [label, value] of agentPrintPairs(item.agent, 1222, item.supplier)) pair(`  ${label}`, value);
    });
    rule();
    pair('ИТОГ', `=${rublesText(receipt.totalKopecks)}`);
    for (const p of PAYMENT_TYPES) {
      const sum = receipt.payments[p.id];
      if (sum) pair(p.label, `=${rublesText(sum)}`);
    }
    // The totals the document carries, a line per rate, none with value 0 (vat-totals.ts).
    for (const { rate, kopecks } of printedTotals(receipt)) pair(rate.totalLabel, `=${rublesText(kopecks)}`);
    pair('СНО', TAX_SYSTEM_LABELS[receipt.taxSystem]);
    if (receipt.cashier) pair('КАССИР', receipt.cashier.name);
    if (receipt.cashier?.inn) pair('ИНН КАССИРА', receipt.cashier.inn);
    // The buyer named by an organisation or entrepreneur (1227, 1228): printed as well as sent
    // (54-ФЗ art. 4.7 p. 1; ФФД 1.05 Table 20 gives both the printed and the electronic form).
    if (receipt.buyer?.name) pair('ПОКУПАТЕЛЬ', receipt.buyer.name);
    if (receipt.buyer?.inn) pair('ИНН ПОКУПАТЕЛЯ', receipt.buyer.inn);
    // Tag 1008 holds a phone or an e-mail; its printed name follows which (FFD print forms).
    if (receipt.buyer?.contact) pair(receipt.buyer.contact.includes('@') ? 'ЭЛ. АДР. ПОКУПАТЕЛЯ' : 'ТЕЛ. ПОКУПАТЕЛЯ', receipt.buyer.contact);
    if (seller.email) pair('ЭЛ. АДР. ОТПРАВИТЕЛЯ', seller.email);
  }
  if (f) {
    rule();
    pair('ДАТА ВРЕМЯ', atolDateTime(f.dateTime).slice(0, 16));
    // Shift numbers start at 1: 0 is a document of no shift (copy-from-archive.ts).
    if (!isRegistrationReport(f.fdType) && f.shiftNumber > 0) pair('СМЕНА', String(f.shiftNumber));
    if (f.receiptNumber !== undefined) pair('ЧЕК', String(f.receiptNumber));
    pair('РН ККТ', f.rnm);
    pair('ФН', f.fnNumber);
    pair('ФД', String(f.fd));
    pair('ФП', String(f.fpd));
    pair('САЙТ ФНС', f.fnsSite);
  }
  const qr =
    f && f.totalKopecks !== undefined && f.operationType !== undefined
      ? fnsQrString({ dateTime: f.dateTime, totalKopecks: f.totalKopecks, fnNumber: f.fnNumber, fd: f.fd, fpd: f.fpd, operationType: f.operationType })
      : undefined;
  return qr === undefined ? { lines: out } : { lines: out, qr };
}

/** The receipt as the job states it (a copy's job is already read from the archive). */
function jobReceipt(job: Job): Receipt | CorrectionReceipt | undefined {
  return 'receipt' in job ? job.receipt : 'correction' in job ? job.correction : undefined;
}

/**
 * What is printed is read from the document that was formed (issue 10 §4): the job's receipt
 * built into its TLV for the registration's FFD, with the tags the FN added from 16h, and
 * read back as a copy from the archive would be. The builder is pure, so these are the bytes
 * the FN received; a field the FFD cannot carry cannot reach the paper.
 */
function formedReceipt(job: Job, f: FiscalAttributes | undefined, ffd: FfdVersion): Receipt | CorrectionReceipt | undefined {
  const stated = jobReceipt(job);
  if (!stated || !f) return stated;
  const formed: TlvNode[] = [
    { tag: 1054, value: f.operationType ?? 0 },
    { tag: 1020, value: f.totalKopecks ?? stated.totalKopecks },
  ];
  // A job the builder refuses was never formed, so it has nothing to print: the error stands.
  if ('correction' in job) return correctionReceiptFromTlv([...buildCorrectionReceipt(job.correction, ffd).tlv, ...formed]);
  return receiptFromTlv([...buildReceipt(stated, ffd).tlv, ...formed]);
}

/** Splits text into lines of at most `columns` characters, at spaces where it can. */
export function wrap(text: string, columns: number): string[] {
  const lines: string[] = [];
  let rest = text;
  while (rest.length > columns) {
    const cut = rest.lastIndexOf(' ', columns);
    const at = cut > columns / 2 ? cut : columns;
    lines.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  lines.push(rest);
  return lines;
}
