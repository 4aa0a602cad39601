/**
 * The KKT↔OFD session-level header (fiscal-spec §3.1), 30 bytes before every message:
 *
 *   off len
 *    0   4  signature 2A 08 41 0A
 *    4   2  S-protocol version 81 A2
 *    6   2  P-protocol version (by FFD; 01 05 = FFD 1.05, 01 20 for FFD 1.2 is a guess [L])
 *    8  16  FN number, ASCII
 *   24   2  body length, uint16 LE
 *   26   2  flags, uint16 LE: bits 0–1 CRC mode, bit 2 container present, bit 4 response expected
 *   28   2  CRC, uint16 LE (0 when the flags say none)
 *
 * fiscal-spec §6.1: the FN gives and takes the container; the register adds this header on
 * the way out and strips it on the way back — here, in one place. Pure.
 */
import { concatBytes } from '../../firmware/core/bytes.ts';
import { crc16CcittFalse } from '../../firmware/core/crc16-ccitt.ts';
import { decodeCp866, encodeCp866 } from '../../firmware/fiscal/cp866.ts';
import type { FfdVersion } from '../../firmware/fiscal/ffd-version.ts';

export const SESSION_HEADER = 30;
export const SIGNATURE = Uint8Array.of(0x2a, 0x08, 0x41, 0x0a);
export const S_VERSION = Uint8Array.of(0x81, 0xa2);
/** Container present (bit 2) + response expected (bit 4): what the public OFD library sends both ways. */
export const FLAGS_CONTAINER_RESPONSE = 0x0014;
const CRC_MODE_MASK = 0x0003;

/** P-protocol versions by FFD (fiscal-spec §3.1, §6.2): the FFD 1.2 value is configurable because it is a guess. */
export const DEFAULT_P_VERSIONS: Readonly<Record<FfdVersion, number>> = { '1.05': 0x0105, '1.2': 0x0120 };

export interface SessionHeader {
  readonly pVersion: number;
  readonly fnNumber: string;
  readonly bodyLength: number;
  readonly flags: number;
  readonly crc: number;
}

/** Header + container, ready for the wire. CRC mode 0 (none), as public implementations send. */
export function wrapMessage(container: Uint8Array, fnNumber: string, pVersion: number, flags = FLAGS_CONTAINER_RESPONSE): Uint8Array {
  const header = new Uint8Array(SESSION_HEADER);
  const view = new DataView(header.buffer);
  header.set(SIGNATURE, 0);
  header.set(S_VERSION, 4);
  header[6] = (pVersion >> 8) & 0xff;
  header[7] = pVersion & 0xff;
  header.set(encodeCp866(fnNumber.padEnd(16, ' ').slice(0, 16)), 8);
  view.setUint16(24, container.length, true);
  view.setUint16(26, flags, true);
  const message = concatBytes([header, container]);
  const mode = flags & CRC_MODE_MASK;
  if (mode !== 0) {
    // CRC over the message without its CRC field: the header only (1) or the whole message (2).
    const end = mode === 1 ? SESSION_HEADER : message.length;
    const crc = crc16CcittFalse(message, 30, end, crc16CcittFalse(message, 0, 28));
    new DataView(message.buffer).setUint16(28, crc, true);
  }
  return message;
}

export type HeaderProblem = 'short' | 'signature' | 's-version';

export function decodeSessionHeader(bytes: Uint8Array): { ok: true; header: SessionHeader } | { ok: false; problem: HeaderProblem } {
  if (bytes.length < SESSION_HEADER) return { ok: false, problem: 'short' };
  for (let i = 0; i < 4; i++) if (bytes[i] !== SIGNATURE[i]) return { ok: false, problem: 'signature' };
  if (bytes[4] !== S_VERSION[0] || bytes[5] !== S_VERSION[1]) return { ok: false, problem: 's-version' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    ok: true,
    header: {
      pVersion: ((bytes[6] ?? 0) << 8) | (bytes[7] ?? 0),
      fnNumber: decodeCp866(bytes.subarray(8, 24)).trim(),
      bodyLength: view.getUint16(24, true),
      flags: view.getUint16(26, true),
      crc: view.getUint16(28, true),
    },
  };
}
