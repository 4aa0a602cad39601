/**
 * CP866 text (fiscal-spec §2.1, fn-protocol §5.5 "ASCII"): every FFD string and every
 * ASCII field of an FN command is CP866. iconv-lite does the mapping; this module adds
 * the one thing it does not: refusing characters CP866 cannot carry instead of writing '?'.
 */
import iconv from 'iconv-lite';

export function encodeCp866(text: string): Uint8Array {
  const bytes = iconv.encode(text, 'cp866');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function decodeCp866(bytes: Uint8Array): string {
  return iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'cp866');
}

/** The characters of `text` that CP866 cannot represent (empty when all can). */
export function unencodableInCp866(text: string): string[] {
  if (decodeCp866(encodeCp866(text)) === text) return [];
  const bad = new Set<string>();
  for (const ch of text) {
    if (decodeCp866(encodeCp866(ch)) !== ch) bad.add(ch);
  }
  return [...bad];
}

/** Length in CP866 bytes: one byte per character that CP866 can carry. */
export function cp866ByteLength(text: string): number {
  return encodeCp866(text).length;
}
