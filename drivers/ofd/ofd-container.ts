/**
 * The OFD message container (fiscal-spec §3.2): a 32-byte header and the FN's document.
 *
 *   off len
 *    0   2  container length, uint16 LE, header included
 *    2   2  CRC-16/CCITT-FALSE over the container with this field left out
 *    4   1  message type A5h
 *    5   1  FD type
 *    6   1  container version = 1
 *    7   2  service data 1
 *    9   8  FN number, BCD
 *   17   3  FD number, big-endian 24-bit
 *   20  12  service data 2 (opaque)
 *   32   n  body: the document STLV, then the FN's message trailer
 *
 * The FN (and its emulator) returns this container from 22h/23h and takes an OFD reply in
 * the same form with 26h; the OFD transport adds the session header (fiscal-spec §6.1).
 * Pure.
 */
import { crc16CcittFalse } from '../../firmware/core/crc16-ccitt.ts';
import { KassaError } from '../../firmware/core/kassa-error.ts';

export const CONTAINER_HEADER = 32;
export const MESSAGE_TYPE_DOCUMENT = 0xa5;
export const CONTAINER_VERSION = 1;
/** Service data 1 as seen in public samples (fiscal-spec §3.2); its meaning is not documented. */
const SERVICE_DATA_1 = Uint8Array.of(0x10, 0x09);

export interface OfdContainer {
  readonly fdType: number;
  readonly fnNumber: string;
  readonly fdNumber: number;
  /** The document STLV followed by the trailer. */
  readonly body: Uint8Array;
}

export function encodeContainer(c: OfdContainer): Uint8Array {
  const length = CONTAINER_HEADER + c.body.length;
  if (length > 0xffff) throw new KassaError('FN_PROTOCOL', `container of ${length} bytes does not fit its uint16 length`);
  if (c.fdNumber > 0xffffff) throw new KassaError('FN_PROTOCOL', `FD number ${c.fdNumber} does not fit the container's 24 bits`);
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  view.setUint16(0, length, true);
  out[4] = MESSAGE_TYPE_DOCUMENT;
  out[5] = c.fdType;
  out[6] = CONTAINER_VERSION;
  out.set(SERVICE_DATA_1, 7);
  out.set(fnNumberToBcd(c.fnNumber), 9);
  out[17] = (c.fdNumber >> 16) & 0xff;
  out[18] = (c.fdNumber >> 8) & 0xff;
  out[19] = c.fdNumber & 0xff;
  out.set(c.body, CONTAINER_HEADER);
  view.setUint16(2, containerCrc(out), true);
  return out;
}

export type ContainerProblem = 'short' | 'length' | 'crc' | 'type';

/** Decodes a container, or says which check it fails. */
export function decodeContainer(bytes: Uint8Array): { ok: true; container: OfdContainer } | { ok: false; problem: ContainerProblem } {
  if (bytes.length < CONTAINER_HEADER) return { ok: false, problem: 'short' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint16(0, true);
  if (length !== bytes.length) return { ok: false, problem: 'length' };
  if (view.getUint16(2, true) !== containerCrc(bytes)) return { ok: false, problem: 'crc' };
  if (bytes[4] !== MESSAGE_TYPE_DOCUMENT) return { ok: false, problem: 'type' };
  return {
    ok: true,
    container: {
      fdType: bytes[5] ?? 0,
      fnNumber: bcdToFnNumber(bytes.subarray(9, 17)),
      fdNumber: ((bytes[17] ?? 0) << 16) | ((bytes[18] ?? 0) << 8) | (bytes[19] ?? 0),
      body: bytes.slice(CONTAINER_HEADER),
    },
  };
}

function containerCrc(bytes: Uint8Array): number {
  // CRC over bytes 0–1, then 4..end: continue the CRC across the gap.
  return crc16CcittFalse(bytes, 4, bytes.length, crc16CcittFalse(bytes, 0, 2));
}

/** 16 decimal digits → 8 BCD bytes: "9999078900005488" → 99 99 07 89 00 00 54 88. */
export function fnNumberToBcd(fnNumber: string): Uint8Array {
  if (!/^\d{16}$/.test(fnNumber)) throw new KassaError('FN_PROTOCOL', `FN number "${fnNumber}" is not 16 digits`);
  const out = new Uint8Array(8);
  for (let i = 0; i < 8; i++) out[i] = (Number(fnNumber[2 * i]) << 4) | Number(fnNumber[2 * i + 1]);
  return out;
}

export function bcdToFnNumber(bcd: Uint8Array): string {
  return Array.from(bcd, (b) => `${b >> 4}${b & 0x0f}`).join('');
}
