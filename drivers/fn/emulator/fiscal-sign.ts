/**
 * The emulator's deterministic fiscal sign (fiscal-spec §6.3): the first 4 bytes of
 * HMAC-SHA256 over the document type and its TLV, keyed by a per-FN secret. 1077 carries
 * two prefix bytes and those 4 bytes big-endian; the FPD printed and returned by the FN
 * is the same 4 bytes as a number (fiscal-spec §2.1). Not a GOST signature: an emulator.
 */
import { createHmac } from 'node:crypto';

/** Prefix bytes of 1077 seen in public test vectors (fiscal-spec §2.1). */
const FPD_PREFIX = [0x21, 0x04] as const;

export function fiscalSign(secret: string, fdType: number, tlv: Uint8Array): number {
  const mac = createHmac('sha256', secret).update(Uint8Array.of(fdType & 0xff, fdType >> 8)).update(tlv).digest();
  return mac.readUInt32BE(0);
}

export function fpdTag1077(fpd: number): Uint8Array {
  return Uint8Array.of(...FPD_PREFIX, (fpd >>> 24) & 0xff, (fpd >>> 16) & 0xff, (fpd >>> 8) & 0xff, fpd & 0xff);
}

export function fpdFromTag1077(bytes: Uint8Array): number {
  return (((bytes[2] ?? 0) << 24) | ((bytes[3] ?? 0) << 16) | ((bytes[4] ?? 0) << 8) | (bytes[5] ?? 0)) >>> 0;
}
