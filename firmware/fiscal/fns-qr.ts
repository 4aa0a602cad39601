/**
 * The FNS QR code string of a receipt (fiscal-spec §4.1):
 *   t=20190418T2116&s=3943.26&fn=9282000100072197&i=64318&fp=2918241905&n=1
 * t is the local date-time of the receipt, s the total in rubles, fn the FN number,
 * i the FD number, fp the FPD as a decimal number, n the calculation sign (1054).
 */
import { rublesText } from './money.ts';

export interface QrFields {
  /** 1012, register-local seconds. */
  readonly dateTime: number;
  readonly totalKopecks: number;
  readonly fnNumber: string;
  readonly fd: number;
  readonly fpd: number;
  readonly operationType: number;
}

export function fnsQrString(f: QrFields): string {
  const d = new Date(f.dateTime * 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  const t = `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}T${p(d.getUTCHours())}${p(d.getUTCMinutes())}`;
  return `t=${t}&s=${rublesText(f.totalKopecks)}&fn=${f.fnNumber}&i=${f.fd}&fp=${f.fpd}&n=${f.operationType}`;
}
