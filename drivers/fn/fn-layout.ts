/**
 * Declarative byte layouts for FN command and answer data (fn-protocol §4, §5.5 Table 190).
 * A layout is a list of [name, type] fields; `encodeLayout`/`decodeLayout` turn it into
 * bytes and back, so each command's layout is written once (fn-commands.ts) and serves
 * both the driver and the emulator.
 *
 * Dates are "register-local seconds": the register's wall-clock time written as if it were
 * UTC, because the FN and the FFD carry local time (fiscal-spec §6.6).
 */
import { concatBytes } from '../../firmware/core/bytes.ts';
import { KassaError } from '../../firmware/core/kassa-error.ts';
import { decodeCp866, encodeCp866, unencodableInCp866 } from '../../firmware/fiscal/cp866.ts';

export type FieldType =
  | 'u8'
  | 'u16'
  | 'u32'
  | 'u40'
  | 'u48'
  | 'datetime' // 5 bytes YY MM DD hh mm
  | 'date' // 3 bytes YY MM DD
  | 'rest' // every remaining byte
  | { readonly ascii: number } // fixed CP866 field, right-padded with spaces
  | { readonly bytes: number } // fixed opaque bytes
  | 'rnm'; // 20 bytes: left-padded with '0' to 16, then right-padded with spaces (fn-protocol §4.5)

export type Field = readonly [name: string, type: FieldType] | readonly [name: string, type: FieldType, optional: 'optional'];
export type Layout = readonly Field[];

type ValueOf<T extends FieldType> = T extends 'rest' | { bytes: number } ? Uint8Array : T extends { ascii: number } | 'rnm' ? string : number;
type Required<L extends Layout> = { [F in L[number] as F extends readonly [string, FieldType] ? F[0] : never]: ValueOf<F[1]> };
type Optional<L extends Layout> = { [F in L[number] as F extends readonly [string, FieldType, 'optional'] ? F[0] : never]?: ValueOf<F[1]> };
/** The object type a layout encodes from and decodes to. */
export type LayoutValue<L extends Layout> = Required<L> & Optional<L>;

const SIZES: Readonly<Record<string, number>> = { u8: 1, u16: 2, u32: 4, u40: 5, u48: 6, datetime: 5, date: 3, rnm: 20 };

function sizeOf(type: FieldType, remaining: number): number {
  if (typeof type === 'object') return 'ascii' in type ? type.ascii : type.bytes;
  if (type === 'rest') return remaining;
  return SIZES[type] ?? 0;
}

export function encodeLayout<L extends Layout>(layout: L, value: LayoutValue<L>): Uint8Array {
  const record = value as Record<string, unknown>;
  const parts: Uint8Array[] = [];
  for (const [name, type, optional] of layout) {
    const v = record[name];
    if (v === undefined) {
      if (optional) continue;
      throw new KassaError('FN_PROTOCOL', `field "${name}" is required`);
    }
    parts.push(encodeField(name, type, v));
  }
  return concatBytes(parts);
}

export function decodeLayout<L extends Layout>(layout: L, data: Uint8Array): LayoutValue<L> {
  const out: Record<string, unknown> = {};
  let at = 0;
  for (const [name, type, optional] of layout) {
    const size = sizeOf(type, data.length - at);
    if (at + size > data.length || (optional && at === data.length)) {
      if (optional) continue;
      throw new KassaError('FN_PROTOCOL', `answer too short: field "${name}" needs ${size} bytes at offset ${at}, ${data.length - at} left`);
    }
    out[name] = decodeField(type, data.subarray(at, at + size));
    at += size;
  }
  // An answer longer than its layout is not this command's answer (e.g. a stale one after ENQ).
  if (at !== data.length) throw new KassaError('FN_PROTOCOL', `${data.length - at} unexpected bytes after the last field`);
  return out as LayoutValue<L>;
}

function encodeField(name: string, type: FieldType, v: unknown): Uint8Array {
  if (typeof type === 'object' && 'bytes' in type) {
    if (!(v instanceof Uint8Array) || v.length !== type.bytes) throw new KassaError('FN_PROTOCOL', `field "${name}" must be ${type.bytes} bytes`);
    return v;
  }
  if (typeof type === 'object') return asciiField(name, String(v), type.ascii);
  switch (type) {
    case 'rest':
      if (!(v instanceof Uint8Array)) throw new KassaError('FN_PROTOCOL', `field "${name}" must be bytes`);
      return v;
    case 'rnm':
      return asciiField(name, String(v).padStart(16, '0'), 20);
    case 'datetime':
    case 'date':
      return encodeDate(name, Number(v), type === 'datetime');
    default:
      return uintLe(name, Number(v), SIZES[type] ?? 0);
  }
}

function decodeField(type: FieldType, raw: Uint8Array): unknown {
  if (typeof type === 'object' && 'bytes' in type) return raw.slice();
  if (typeof type === 'object' || type === 'rnm') return decodeCp866(raw).replace(/[\s\0]+$/, '');
  switch (type) {
    case 'rest':
      return raw.slice();
    case 'datetime':
    case 'date':
      return decodeDate(raw);
    default: {
      let v = 0;
      for (let i = raw.length - 1; i >= 0; i--) v = v * 256 + (raw[i] ?? 0);
      return v;
    }
  }
}

function asciiField(name: string, text: string, size: number): Uint8Array {
  const bad = unencodableInCp866(text);
  if (bad.length > 0) throw new KassaError('FN_PROTOCOL', `field "${name}" has characters CP866 cannot carry: ${bad.join(' ')}`);
  const bytes = encodeCp866(text);
  if (bytes.length > size) throw new KassaError('FN_PROTOCOL', `field "${name}" is ${bytes.length} bytes, at most ${size}`);
  const out = new Uint8Array(size).fill(0x20);
  out.set(bytes);
  return out;
}

function uintLe(name: string, v: number, size: number): Uint8Array {
  if (!Number.isSafeInteger(v) || v < 0 || v >= 2 ** (8 * size)) throw new KassaError('FN_PROTOCOL', `field "${name}" = ${v} does not fit ${size} bytes`);
  const out = new Uint8Array(size);
  let x = v;
  for (let i = 0; i < size; i++) {
    out[i] = x % 256;
    x = Math.floor(x / 256);
  }
  return out;
}

/** DATE_TIME (5 bytes) or DATE (3 bytes) from register-local seconds; years 2000..2255. */
export function encodeDate(name: string, localSeconds: number, withTime: boolean): Uint8Array {
  const d = new Date(localSeconds * 1000);
  const year = d.getUTCFullYear() - 2000;
  if (!Number.isFinite(localSeconds) || year < 0 || year > 255) throw new KassaError('FN_PROTOCOL', `field "${name}" has a date outside 2000..2255`);
  const date = [year, d.getUTCMonth() + 1, d.getUTCDate()];
  return Uint8Array.from(withTime ? [...date, d.getUTCHours(), d.getUTCMinutes()] : date);
}

/** Local seconds as the FN keeps them in a DATE_TIME field: to the minute (what 30h answers for a document formed at `localSeconds`). */
export function asFnDateTime(localSeconds: number): number {
  return decodeDate(encodeDate('dateTime', localSeconds, true));
}

export function decodeDate(raw: Uint8Array): number {
  const [yy = 0, mm = 1, dd = 1, hh = 0, mi = 0] = raw;
  return Date.UTC(2000 + yy, mm - 1, dd, hh, mi) / 1000;
}
