/**
 * Tag 1077, the fiscal sign of a document (fiscal-spec §2.1): 6 bytes, of which bytes 2..5
 * read big-endian are the FPD that is printed, put in the QR code and returned by the FN in
 * 16h and the like. Bytes 0–1 were `21 04` in public test vectors [M].
 */
const FPD_PREFIX = [0x21, 0x04] as const;

export function fpdTag1077(fpd: number): Uint8Array {
  return Uint8Array.of(...FPD_PREFIX, (fpd >>> 24) & 0xff, (fpd >>> 16) & 0xff, (fpd >>> 8) & 0xff, fpd & 0xff);
}

export function fpdFromTag1077(bytes: Uint8Array): number {
  return (((bytes[2] ?? 0) << 24) | ((bytes[3] ?? 0) << 16) | ((bytes[4] ?? 0) << 8) | (bytes[5] ?? 0)) >>> 0;
}
