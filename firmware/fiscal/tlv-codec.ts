/**
 * FFD TLV / STLV codec (fiscal-spec §2.1). Pure: bytes in, values out, and back.
 *
 * A node's value type follows the tag's wire type in tag-table.ts:
 *   string → string, byte/u16/u32/unixtime/vln → number (vln money is integer kopecks),
 *   fvln → exact decimal string ("1.000", "1234567.89"), bytes → Uint8Array, stlv → TlvNode[].
 * No floating point anywhere: a quantity is carried as its decimal digits.
 */
import { concatBytes } from '../core/bytes.ts';
import { TlvError } from '../core/kassa-error.ts';
import { decodeCp866, encodeCp866, unencodableInCp866 } from './cp866.ts';
import type { FfdVersion } from './ffd-version.ts';
import { maxLengthFor, tagDef, type TagDef } from './tag-table.ts';

export type TlvValue = string | number | Uint8Array | readonly TlvNode[];
export interface TlvNode {
  readonly tag: number;
  readonly value: TlvValue;
}

const HEADER = 4; // tag uint16 LE + length uint16 LE

// ---------------------------------------------------------------- encoding

/** Encodes nodes in order into one byte string (the content of an STLV, or a 07h payload). */
export function encodeTlv(nodes: readonly TlvNode[], ffd: FfdVersion, path = ''): Uint8Array {
  const seen = new Map<number, number>();
  const prefix = path ? `${path}/` : '';
  return concatBytes(
    nodes.map((n) => {
      const k = seen.get(n.tag) ?? 0;
      seen.set(n.tag, k + 1);
      return encodeNode(n, ffd, `${prefix}${n.tag}${k > 0 ? `[${k}]` : ''}`);
    }),
  );
}

/** Encodes one node with its tag and length header. */
export function encodeNode(node: TlvNode, ffd: FfdVersion, path = String(node.tag)): Uint8Array {
  const def = tagDef(node.tag);
  if (!def) throw new TlvError('TLV_ENCODE', path, `tag ${node.tag} is not in the tag table`);
  if (!def.ffd.includes(ffd)) throw new TlvError('TLV_ENCODE', path, `tag ${node.tag} (${def.name}) does not exist in FFD ${ffd}`);
  const value = encodeValue(def, node.value, ffd, path);
  const max = maxLengthFor(def, ffd);
  if (value.length > max) throw new TlvError('TLV_ENCODE', path, `${def.name} is ${value.length} bytes, at most ${max} allowed`);
  const out = new Uint8Array(HEADER + value.length);
  out[0] = node.tag & 0xff;
  out[1] = node.tag >> 8;
  out[2] = value.length & 0xff;
  out[3] = value.length >> 8;
  out.set(value, HEADER);
  return out;
}

function encodeValue(def: TagDef, value: TlvValue, ffd: FfdVersion, path: string): Uint8Array {
  switch (def.type) {
    case 'stlv':
      if (!Array.isArray(value)) throw typeError(def, path, 'a list of TLV nodes', value);
      return encodeTlv(value as readonly TlvNode[], ffd, path);
    case 'string':
      return encodeString(def, expectString(def, value, path), path);
    case 'byte':
      return fixedUint(expectInteger(def, value, path, 0xff), 1);
    case 'u16':
      return fixedUint(expectInteger(def, value, path, 0xffff), 2);
    case 'u32':
    case 'unixtime':
      return fixedUint(expectInteger(def, value, path, 0xffff_ffff), 4);
    case 'vln':
      return encodeVln(expectInteger(def, value, path, 2 ** (8 * maxLengthFor(def, ffd)) - 1));
    case 'fvln':
      return encodeFvln(expectString(def, value, path), maxLengthFor(def, ffd), path);
    case 'bytes':
      if (!(value instanceof Uint8Array)) throw typeError(def, path, 'bytes', value);
      if (def.fixedLength !== undefined && value.length !== def.fixedLength) {
        throw new TlvError('TLV_ENCODE', path, `${def.name} must be exactly ${def.fixedLength} bytes, got ${value.length}`);
      }
      return value;
  }
}

function encodeString(def: TagDef, text: string, path: string): Uint8Array {
  const bad = unencodableInCp866(text);
  if (bad.length > 0) throw new TlvError('TLV_ENCODE', path, `${def.name} has characters CP866 cannot carry: ${bad.join(' ')}`);
  const bytes = encodeCp866(text);
  if (def.fixedLength === undefined) return bytes;
  if (bytes.length > def.fixedLength || (!def.spacePadded && bytes.length !== def.fixedLength)) {
    throw new TlvError('TLV_ENCODE', path, `${def.name} must be ${def.spacePadded ? 'at most' : 'exactly'} ${def.fixedLength} bytes, got ${bytes.length}`);
  }
  const out = new Uint8Array(def.fixedLength).fill(0x20);
  out.set(bytes);
  return out;
}

/** VLN: little-endian, as few bytes as needed, at least one (07h never carries zero length, fn-protocol §4.3.1). */
export function encodeVln(value: number | bigint): Uint8Array {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
    const bytes: number[] = [];
    let v = value;
    do {
      bytes.push(v % 256);
      v = Math.floor(v / 256);
    } while (v > 0);
    return Uint8Array.from(bytes);
  }
  let v = BigInt(value);
  if (v < 0n) throw new RangeError(`VLN cannot carry a negative value: ${value}`);
  const bytes: number[] = [];
  do {
    bytes.push(Number(v & 0xffn));
    v >>= 8n;
  } while (v > 0n);
  return Uint8Array.from(bytes);
}

/** FVLN: byte 0 is the count of digits after the decimal point, then the VLN mantissa (fiscal-spec §2.1). */
export function encodeFvln(decimal: string, maxLength: number, path = 'fvln'): Uint8Array {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(decimal);
  if (!m) throw new TlvError('TLV_ENCODE', path, `"${decimal}" is not a non-negative decimal number`);
  const fraction = m[2] ?? '';
  if (fraction.length > 0xff) throw new TlvError('TLV_ENCODE', path, `${decimal} has ${fraction.length} decimals, an FVLN scale is one byte`);
  const mantissa = encodeVln(BigInt((m[1] ?? '') + fraction));
  if (1 + mantissa.length > maxLength) throw new TlvError('TLV_ENCODE', path, `${decimal} needs ${1 + mantissa.length} bytes, at most ${maxLength} allowed`);
  return concatBytes([Uint8Array.of(fraction.length), mantissa]);
}

function fixedUint(value: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let v = value;
  for (let i = 0; i < size; i++) {
    out[i] = v % 256;
    v = Math.floor(v / 256);
  }
  return out;
}

// ---------------------------------------------------------------- decoding

/** Decodes a byte string of consecutive TLVs. Unknown tags are kept as raw bytes, never dropped. */
export function decodeTlv(bytes: Uint8Array, path = ''): TlvNode[] {
  const nodes: TlvNode[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const seen = new Map<number, number>();
  const prefix = path ? `${path}/` : '';
  let at = 0;
  while (at < bytes.length) {
    if (bytes.length - at < HEADER) throw new TlvError('TLV_DECODE', path || '/', `${bytes.length - at} stray bytes at offset ${at}`);
    const tag = view.getUint16(at, true);
    const length = view.getUint16(at + 2, true);
    const k = seen.get(tag) ?? 0;
    seen.set(tag, k + 1);
    const here = `${prefix}${tag}${k > 0 ? `[${k}]` : ''}`;
    if (at + HEADER + length > bytes.length) {
      throw new TlvError('TLV_DECODE', here, `length ${length} runs past the end (${bytes.length - at - HEADER} bytes left)`);
    }
    const raw = bytes.subarray(at + HEADER, at + HEADER + length);
    nodes.push({ tag, value: decodeValue(tagDef(tag), raw, here) });
    at += HEADER + length;
  }
  return nodes;
}

function decodeValue(def: TagDef | undefined, raw: Uint8Array, path: string): TlvValue {
  if (!def) return raw.slice();
  switch (def.type) {
    case 'stlv':
      return decodeTlv(raw, path);
    case 'string': {
      const text = decodeCp866(raw);
      return def.spacePadded ? text.replace(/ +$/, '') : text;
    }
    case 'byte':
    case 'u16':
    case 'u32':
    case 'unixtime':
      if (raw.length !== fixedSize(def.type)) throw new TlvError('TLV_DECODE', path, `${def.name} must be ${fixedSize(def.type)} bytes, got ${raw.length}`);
      return decodeUint(raw);
    case 'vln':
      if (raw.length === 0 || raw.length > 6) throw new TlvError('TLV_DECODE', path, `${def.name} has ${raw.length} bytes, a VLN has 1..6`);
      return decodeUint(raw);
    case 'fvln':
      return decodeFvln(raw, path);
    case 'bytes':
      return raw.slice();
  }
}

function fixedSize(type: 'byte' | 'u16' | 'u32' | 'unixtime'): number {
  return type === 'byte' ? 1 : type === 'u16' ? 2 : 4;
}

/** Little-endian unsigned integer of up to 6 bytes (safe in a JS number). */
export function decodeUint(raw: Uint8Array): number {
  let v = 0;
  for (let i = raw.length - 1; i >= 0; i--) v = v * 256 + (raw[i] ?? 0);
  return v;
}

export function decodeFvln(raw: Uint8Array, path = 'fvln'): string {
  if (raw.length < 2) throw new TlvError('TLV_DECODE', path, `an FVLN needs at least 2 bytes, got ${raw.length}`);
  const scale = raw[0] ?? 0;
  let mantissa = 0n;
  for (let i = raw.length - 1; i >= 1; i--) mantissa = (mantissa << 8n) | BigInt(raw[i] ?? 0);
  if (scale === 0) return mantissa.toString();
  const digits = mantissa.toString().padStart(scale + 1, '0');
  return `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

// ---------------------------------------------------------------- helpers

/** The first node with this tag, or undefined. */
export function findTag(nodes: readonly TlvNode[], tag: number): TlvNode | undefined {
  return nodes.find((n) => n.tag === tag);
}


function expectString(def: TagDef, value: TlvValue, path: string): string {
  if (typeof value !== 'string') throw typeError(def, path, 'a string', value);
  return value;
}

function expectInteger(def: TagDef, value: TlvValue, path: string, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new TlvError('TLV_ENCODE', path, `${def.name} must be an integer 0..${max}, got ${describe(value)}`);
  }
  return value;
}

function typeError(def: TagDef, path: string, expected: string, value: TlvValue): TlvError {
  return new TlvError('TLV_ENCODE', path, `${def.name} must be ${expected}, got ${describe(value)}`);
}

function describe(value: TlvValue): string {
  return value instanceof Uint8Array ? `${value.length} bytes` : Array.isArray(value) ? 'a list' : JSON.stringify(value);
}
