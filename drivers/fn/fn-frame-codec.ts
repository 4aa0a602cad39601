/**
 * FN frame codec (fn-protocol §3.2–3.3, Tables 2–3):
 *   04h | LEN uint16 LE | CMD or ANSWER (1) | DATA (N) | CRC16 uint16 LE,  LEN = N + 1,
 * CRC-16/CCITT-FALSE over every byte but the 04h start byte. Pure.
 */
import { crc16CcittFalse } from '../../firmware/core/crc16-ccitt.ts';

export const FRAME_START = 0x04;
/** ENQ: asks the FN to resend its last answer (fn-protocol §2, UART). */
export const ENQ = 0x05;
/** Most data one message may carry (fn-protocol §3.2). */
export const MAX_FRAME_DATA = 1536;
export const FRAME_OVERHEAD = 6; // start + LEN(2) + CMD + CRC(2)

export interface Frame {
  /** CMD of a request, ANSWER byte of a response (bit 7 = warning flag). */
  readonly code: number;
  readonly data: Uint8Array;
}

export function encodeFrame(code: number, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (data.length > MAX_FRAME_DATA) throw new RangeError(`frame data of ${data.length} bytes exceeds ${MAX_FRAME_DATA}`);
  const out = new Uint8Array(FRAME_OVERHEAD + data.length);
  const length = data.length + 1;
  out[0] = FRAME_START;
  out[1] = length & 0xff;
  out[2] = length >> 8;
  out[3] = code;
  out.set(data, 4);
  const crc = crc16CcittFalse(out, 1, 4 + data.length);
  out[4 + data.length] = crc & 0xff;
  out[5 + data.length] = crc >> 8;
  return out;
}
