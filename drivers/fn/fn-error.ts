/** FnError: an FN answer with a non-zero code, carrying that code (DESIGN.md §3 rule 5). */
import { KassaError } from '../../firmware/core/kassa-error.ts';
import { CODES_WITH_TAG, FN_CODE, fnResponseCode, hexByte, OFD_RECEIPT_REJECT_REASONS } from './fn-response-codes.ts';

export class FnError extends KassaError {
  /** The FN's response code (bits 0–6 of ANSWER). */
  readonly fnCode: number;
  readonly fnCodeId: string;
  readonly command: number;
  /** The tag the FN names for 0Bh/0Ch/3Ch, when it names one. */
  readonly tag: number | undefined;
  /** The reason byte of 20h. */
  readonly reason: number | undefined;
  /** The answer's data as the FN sent it (e.g. the Table 69 byte of 0Dh). */
  readonly data: Uint8Array;

  constructor(command: number, commandName: string, fnCode: number, data: Uint8Array) {
    const rc = fnResponseCode(fnCode);
    const tag = CODES_WITH_TAG.has(fnCode) && data.length >= 2 ? (data[0] ?? 0) | ((data[1] ?? 0) << 8) : undefined;
    const reason = fnCode === FN_CODE.OFD_RECEIPT_REJECTED && data.length >= 1 ? data[0] : undefined;
    const detail = tag !== undefined ? ` (tag ${tag})` : reason !== undefined ? ` (${OFD_RECEIPT_REJECT_REASONS[reason] ?? `reason ${reason}`})` : '';
    super('FN_RESPONSE', `FN refused ${hexByte(command)} ${commandName}: ${hexByte(fnCode)} ${rc.message}${detail}`);
    this.fnCode = fnCode;
    this.fnCodeId = rc.id;
    this.command = command;
    this.tag = tag;
    this.reason = reason;
    this.data = data.slice();
  }
}
