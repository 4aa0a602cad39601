/**
 * A plain-text rendering of a fiscal document, for the console and file printers of demo
 * mode until the ESC/POS layouts take over (issue 4).
 */
import { atolDateTime } from '../core/local-time.ts';
import { fnsQrString } from '../fiscal/fns-qr.ts';
import { rublesText } from '../fiscal/money.ts';
import { CALCULATION_SIGN_WORDS, TAX_SYSTEM_LABELS } from '../fiscal/receipt-codes.ts';
import type { PrintRequest } from './receipt-printer.ts';

const WIDTH = 42;

export function textReceipt(req: PrintRequest): string {
  const { job, fiscal, registration: reg } = req;
  const lines: string[] = [];
  const row = (left: string, right: string): void => {
    lines.push(`${left}${' '.repeat(Math.max(1, WIDTH - left.length - right.length))}${right}`);
  };
  const rule = (): void => void lines.push('-'.repeat(WIDTH));
  if (reg.userName) lines.push(reg.userName);
  lines.push(reg.address, ...(reg.place ? [reg.place] : []), `ИНН ${reg.inn}`);
  rule();
  const receipt = 'receipt' in job ? job.receipt : 'correction' in job ? job.correction : undefined;
  if (receipt && fiscal?.operationType !== undefined) {
    lines.push('correction' in job ? 'КАССОВЫЙ ЧЕК КОРРЕКЦИИ' : 'КАССОВЫЙ ЧЕК', CALCULATION_SIGN_WORDS[fiscal.operationType] ?? '');
    for (const item of receipt.items) {
      lines.push(item.name);
      row(`  ${item.quantity} x ${rublesText(item.priceKopecks)}`, `=${rublesText(item.sumKopecks)}`);
    }
    rule();
    row('ИТОГ', `=${rublesText(receipt.totalKopecks)}`);
    for (const [id, sum] of Object.entries(receipt.payments)) if (sum) row(id === 'cash' ? 'НАЛИЧНЫМИ' : id === 'electronic' ? 'БЕЗНАЛИЧНЫМИ' : id.toUpperCase(), `=${rublesText(sum)}`);
    row('СНО', TAX_SYSTEM_LABELS[receipt.taxSystem]);
  } else {
    lines.push(job.type.toUpperCase().replace('_', ' '), ...(req.lines ?? []));
  }
  if (fiscal) {
    rule();
    row('ДАТА', atolDateTime(fiscal.dateTime));
    row('СМЕНА', String(fiscal.shiftNumber));
    if (fiscal.receiptNumber !== undefined) row('ЧЕК', String(fiscal.receiptNumber));
    row('ФН', fiscal.fnNumber);
    row('РН ККТ', fiscal.rnm);
    row('ФД', String(fiscal.fd));
    row('ФП', String(fiscal.fpd));
    lines.push(`Сайт ФНС: ${fiscal.fnsSite}`);
    if (fiscal.totalKopecks !== undefined && fiscal.operationType !== undefined) {
      lines.push(`QR: ${fnsQrString({ dateTime: fiscal.dateTime, totalKopecks: fiscal.totalKopecks, fnNumber: fiscal.fnNumber, fd: fiscal.fd, fpd: fiscal.fpd, operationType: fiscal.operationType })}`);
    }
  }
  return lines.join('\n');
}
