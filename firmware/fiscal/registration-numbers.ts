/**
 * Check digits of the numbers the tax rules define: INN (fiscal-spec §2.5) and the KKT
 * registration number RNM (fiscal-spec §2.4). Pure; used by config and job validation and
 * by the FN emulator (03h/A3h answer 09h to a bad RNM).
 */
import { crc16CcittFalse } from '../core/crc16-ccitt.ts';

const W10 = [2, 4, 10, 3, 5, 9, 4, 6, 8];
const W11 = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
const W12 = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];

function checkDigit(digits: readonly number[], weights: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += (digits[i] ?? 0) * (weights[i] ?? 0);
  return (sum % 11) % 10;
}

/** True for a 10-digit (organisation) or 12-digit (person) INN whose check digits hold. */
export function isValidInn(inn: string): boolean {
  if (!/^(\d{10}|\d{12})$/.test(inn)) return false;
  const d = Array.from(inn, Number);
  if (d.length === 10) return checkDigit(d, W10) === d[9];
  return checkDigit(d, W11) === d[10] && checkDigit(d, W12) === d[11];
}

/** The 6 check digits of an RNM: CRC-CCITT-FALSE over ordinal(10) + INN(12) + KKT serial(20), zero-padded. */
export function rnmCheckDigits(ordinal: string, inn: string, kktSerial: string): string {
  const text = ordinal.padStart(10, '0') + inn.padStart(12, '0') + kktSerial.padStart(20, '0');
  const crc = crc16CcittFalse(new TextEncoder().encode(text));
  return String(crc).padStart(6, '0');
}

/** Builds a full 16-digit RNM from its 10-digit ordinal (what the FNS issues). */
export function makeRnm(ordinal: string, inn: string, kktSerial: string): string {
  return ordinal.padStart(10, '0') + rnmCheckDigits(ordinal, inn, kktSerial);
}

export function isValidRnm(rnm: string, inn: string, kktSerial: string): boolean {
  return /^\d{16}$/.test(rnm) && makeRnm(rnm.slice(0, 10), inn, kktSerial) === rnm;
}
