/**
 * The emulator's deterministic fiscal sign (fiscal-spec §6.3): the first 4 bytes of
 * HMAC-SHA256 over the document type and its TLV, keyed by a per-FN secret. 1077 carries
 * two prefix bytes and those 4 bytes big-endian (firmware/fiscal/fpd-tag.ts). Not a GOST
 * signature: an emulator.
 */
import { createHmac } from 'node:crypto';

export function fiscalSign(secret: string, fdType: number, tlv: Uint8Array): number {
  const mac = createHmac('sha256', secret).update(Uint8Array.of(fdType & 0xff, fdType >> 8)).update(tlv).digest();
  return mac.readUInt32BE(0);
}
