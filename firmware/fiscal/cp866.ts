/**
 * CP866 text (fiscal-spec §2.1, fn-protocol §5.5 "ASCII"): every FFD string and every
 * ASCII field of an FN command is CP866. iconv-lite is the source of the code page; from
 * it we build a char ↔ byte table once, which also lets us refuse characters CP866 cannot
 * carry instead of silently writing '?'.
 */
import iconv from 'iconv-lite';

const DECODE: readonly string[] = Array.from({ length: 256 }, (_, b) => iconv.decode(Buffer.of(b), 'cp866'));
/** UTF-16 code unit → CP866 byte, -1 where CP866 has no such character (all of CP866 is in the BMP). */
const ENCODE = new Int16Array(0x10000).fill(-1);
for (let b = 255; b >= 0; b--) ENCODE[(DECODE[b] ?? '').charCodeAt(0)] = b;
const QUESTION_MARK = 0x3f;

/** CP866 bytes of `text`; a character CP866 cannot carry becomes '?' (check unencodableInCp866 first). */
export function encodeCp866(text: string): Uint8Array {
  // One code unit is one character here: anything outside the BMP is not in CP866 and becomes '?'.
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const b = ENCODE[text.charCodeAt(i)] ?? -1;
    out[i] = b < 0 ? QUESTION_MARK : b;
  }
  return out;
}

export function decodeCp866(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += DECODE[b];
  return s;
}

/** The characters of `text` that CP866 cannot represent (empty when all can). */
export function unencodableInCp866(text: string): string[] {
  let clean = true;
  for (let i = 0; i < text.length && clean; i++) clean = (ENCODE[text.charCodeAt(i)] ?? -1) >= 0;
  if (clean) return [];
  const bad = new Set<string>();
  for (const ch of text) if (ch.length > 1 || (ENCODE[ch.charCodeAt(0)] ?? -1) < 0) bad.add(ch);
  return [...bad];
}

/** Length in CP866 bytes: one byte per UTF-16 code unit (characters outside the BMP are not CP866 anyway). */
export function cp866ByteLength(text: string): number {
  return text.length;
}
