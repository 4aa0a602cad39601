/**
 * encodeLayout / decodeLayout (fn-protocol §4, §5.5): byte-exact field types, optional
 * trailing fields and short answers; and the sizes of two real command layouts.
 * Dates are "register-local seconds" = Date.UTC(...) / 1000.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KassaError } from '../../firmware/core/kassa-error.ts';
import { FN } from '../../drivers/fn/fn-commands.ts';
import { decodeDate, decodeLayout, encodeDate, encodeLayout, type Layout } from '../../drivers/fn/fn-layout.ts';

const arr = (u: Uint8Array): number[] => Array.from(u);
const local = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number => Date.UTC(y, mo - 1, d, h, mi, s) / 1000;
const isProtocolError = (e: unknown): boolean => e instanceof KassaError && e.code === 'FN_PROTOCOL';
const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));

test('DATE_TIME 2015-07-20 18:33 is 0F 07 14 12 21', () => {
  const L = [['at', 'datetime']] as const;
  const at = local(2015, 7, 20, 18, 33);
  assert.equal(arr(encodeLayout(L, { at })), [0x0f, 0x07, 0x14, 0x12, 0x21]);
  assert.is(decodeLayout(L, Uint8Array.of(0x0f, 0x07, 0x14, 0x12, 0x21)).at, at);
});

test('DATE_TIME drops seconds: 18:33:59 encodes as 18:33 and decodes to 18:33:00', () => {
  const L = [['at', 'datetime']] as const;
  const bytes = encodeLayout(L, { at: local(2015, 7, 20, 18, 33, 59) });
  assert.equal(arr(bytes), [0x0f, 0x07, 0x14, 0x12, 0x21]);
  assert.is(decodeLayout(L, bytes).at, local(2015, 7, 20, 18, 33));
});

test('DATE_TIME is independent of the host time zone (register-local seconds as UTC)', () => {
  // 2026-01-01 00:05 local: any time-zone shift would move the day or the year
  const L = [['at', 'datetime']] as const;
  assert.equal(arr(encodeLayout(L, { at: local(2026, 1, 1, 0, 5) })), [26, 1, 1, 0, 5]);
  assert.equal(arr(encodeLayout(L, { at: local(2025, 12, 31, 23, 59) })), [25, 12, 31, 23, 59]);
});

test('DATE is 3 bytes YY MM DD and decodes to midnight', () => {
  const L = [['d', 'date']] as const;
  assert.equal(arr(encodeLayout(L, { d: local(2015, 7, 20, 18, 33) })), [0x0f, 0x07, 0x14]);
  assert.is(decodeLayout(L, Uint8Array.of(0x0f, 0x07, 0x14)).d, local(2015, 7, 20));
  assert.equal(arr(encodeDate('d', local(2030, 2, 28), false)), [30, 2, 28]);
  assert.is(decodeDate(Uint8Array.of(24, 2, 29)), local(2024, 2, 29));
});

test('dates outside 2000..2255 and non-numbers are refused', () => {
  const L = [['at', 'datetime']] as const;
  assert.throws(() => encodeLayout(L, { at: local(1999, 12, 31, 23, 59) }), isProtocolError);
  assert.throws(() => encodeLayout(L, { at: local(2256, 1, 1) }), isProtocolError);
  assert.throws(() => encodeLayout(L, { at: Number.NaN }), isProtocolError);
  assert.equal(arr(encodeLayout(L, { at: local(2000, 1, 1) })), [0, 1, 1, 0, 0]);
  assert.equal(arr(encodeLayout(L, { at: local(2255, 12, 31, 23, 59) })), [255, 12, 31, 23, 59]);
});

test('u8 / u16 / u32 are little-endian', () => {
  const L = [['a', 'u8'], ['b', 'u16'], ['c', 'u32']] as const;
  const bytes = encodeLayout(L, { a: 0xab, b: 0x1234, c: 0xdeadbeef });
  assert.equal(arr(bytes), [0xab, 0x34, 0x12, 0xef, 0xbe, 0xad, 0xde]);
  assert.equal(decodeLayout(L, bytes), { a: 0xab, b: 0x1234, c: 0xdeadbeef });
});

test('u40 total: 5 bytes little-endian, above 2^32, round trip', () => {
  const L = [['total', 'u40']] as const;
  const total = 0x12_3456_789a; // 78 187 493 530 kopecks
  assert.equal(arr(encodeLayout(L, { total })), [0x9a, 0x78, 0x56, 0x34, 0x12]);
  assert.is(decodeLayout(L, Uint8Array.of(0x9a, 0x78, 0x56, 0x34, 0x12)).total, total);
  assert.equal(arr(encodeLayout(L, { total: 17980 })), [0x3c, 0x46, 0, 0, 0]);
  const max = 2 ** 40 - 1;
  assert.equal(arr(encodeLayout(L, { total: max })), [0xff, 0xff, 0xff, 0xff, 0xff]);
  assert.is(decodeLayout(L, Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff)).total, max);
});

test('u48 round trip near 2^48', () => {
  const L = [['v', 'u48']] as const;
  const v = 2 ** 48 - 2;
  const bytes = encodeLayout(L, { v });
  assert.equal(arr(bytes), [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff]);
  assert.is(decodeLayout(L, bytes).v, v);
});

test('integers that do not fit, negatives and fractions are refused', () => {
  assert.throws(() => encodeLayout([['a', 'u8']] as const, { a: 256 }), isProtocolError);
  assert.throws(() => encodeLayout([['a', 'u16']] as const, { a: 0x10000 }), isProtocolError);
  assert.throws(() => encodeLayout([['a', 'u32']] as const, { a: -1 }), isProtocolError);
  assert.throws(() => encodeLayout([['a', 'u40']] as const, { a: 2 ** 40 }), isProtocolError);
  assert.throws(() => encodeLayout([['a', 'u32']] as const, { a: 1.5 }), isProtocolError);
});

test('ASCII fields are right-padded with spaces; decode strips the padding', () => {
  const L = [['inn', { ascii: 12 }]] as const;
  const bytes = encodeLayout(L, { inn: '7707083893' });
  assert.equal(arr(bytes), [...ascii('7707083893'), 0x20, 0x20]);
  assert.is(decodeLayout(L, bytes).inn, '7707083893');
});

test('ASCII field of exactly its size has no padding; one byte more is refused', () => {
  const L = [['n', { ascii: 16 }]] as const;
  assert.equal(arr(encodeLayout(L, { n: '9999078900005488' })), ascii('9999078900005488'));
  assert.throws(() => encodeLayout(L, { n: '99990789000054881' }), isProtocolError);
});

test('ASCII decode also strips trailing NUL bytes, not leading spaces', () => {
  const L = [['s', { ascii: 6 }]] as const;
  assert.is(decodeLayout(L, Uint8Array.of(0x20, 0x41, 0x42, 0x00, 0x00, 0x20)).s, ' AB');
});

test('ASCII fields are CP866: Cyrillic is one byte per letter', () => {
  const L = [['s', { ascii: 4 }]] as const;
  const bytes = encodeLayout(L, { s: 'ООО' }); // Cyrillic О = 8Eh in CP866
  assert.equal(arr(bytes), [0x8e, 0x8e, 0x8e, 0x20]);
  assert.is(decodeLayout(L, bytes).s, 'ООО');
});

test('ASCII fields refuse characters CP866 cannot carry (as the TLV encoder does) instead of writing "?"', () => {
  const L = [['s', { ascii: 8 }]] as const;
  assert.throws(() => encodeLayout(L, { s: '12€' }), isProtocolError);
});

test("'rnm': left-padded with '0' to 16, then spaces to 20", () => {
  const L = [['rnm', 'rnm']] as const;
  const bytes = encodeLayout(L, { rnm: '12345' });
  assert.is(bytes.length, 20);
  assert.equal(arr(bytes), [...ascii('0000000000012345'), 0x20, 0x20, 0x20, 0x20]);
  assert.is(decodeLayout(L, bytes).rnm, '0000000000012345');
  const full = encodeLayout(L, { rnm: '0000000001061234' });
  assert.equal(arr(full), [...ascii('0000000001061234'), 0x20, 0x20, 0x20, 0x20]);
});

test("'rnm' longer than 20 characters is refused", () => {
  assert.throws(() => encodeLayout([['rnm', 'rnm']] as const, { rnm: '1'.repeat(21) }), isProtocolError);
});

test('bytes fields must have their exact size; rest takes every remaining byte', () => {
  const L = [['sign', { bytes: 3 }], ['data', 'rest']] as const;
  const bytes = encodeLayout(L, { sign: Uint8Array.of(1, 2, 3), data: Uint8Array.of(9, 8) });
  assert.equal(arr(bytes), [1, 2, 3, 9, 8]);
  const back = decodeLayout(L, Uint8Array.of(1, 2, 3, 4, 5, 6));
  assert.equal(arr(back.sign), [1, 2, 3]);
  assert.equal(arr(back.data), [4, 5, 6]);
  assert.equal(arr(decodeLayout(L, Uint8Array.of(1, 2, 3)).data), []);
  assert.throws(() => encodeLayout(L, { sign: Uint8Array.of(1, 2), data: new Uint8Array(0) }), isProtocolError);
});

test('decoded bytes fields are copies of the answer, not views into it', () => {
  const L = [['data', 'rest']] as const;
  const answer = Uint8Array.of(1, 2, 3);
  const v = decodeLayout(L, answer);
  answer[0] = 99;
  assert.is(v.data[0], 1);
});

test('a missing required field is refused on encode', () => {
  const L = [['a', 'u8'], ['b', 'u8']] as const;
  assert.throws(() => encodeLayout(L, { a: 1 } as never), isProtocolError);
});

test('optional trailing fields: omitted on encode when undefined, absent on decode when missing', () => {
  const L = FN.openShift.response; // shiftNumber u16, fd u32, fpd u32, warnings u8 optional
  const without = encodeLayout(L, { shiftNumber: 7, fd: 0x01020304, fpd: 0xa0b0c0d0 });
  assert.equal(arr(without), [7, 0, 4, 3, 2, 1, 0xd0, 0xc0, 0xb0, 0xa0]);
  const decoded = decodeLayout(L, without);
  assert.equal(decoded, { shiftNumber: 7, fd: 0x01020304, fpd: 0xa0b0c0d0 });
  assert.not.ok('warnings' in decoded);
  const withFlags = encodeLayout(L, { shiftNumber: 7, fd: 1, fpd: 2, warnings: 0x02 });
  assert.is(withFlags.length, 11);
  assert.is(decodeLayout(L, withFlags).warnings, 0x02);
});

test('optional request field: 02h start registration with and without the report type', () => {
  assert.equal(arr(encodeLayout(FN.startRegistration.request, {})), []);
  assert.equal(arr(encodeLayout(FN.startRegistration.request, { reportType: 2 })), [2]);
  assert.equal(decodeLayout(FN.startRegistration.request, new Uint8Array(0)), {});
});

test('an optional rest field may be empty or absent', () => {
  const L = FN.passOfdReceipt.response; // ofdCode u8, message rest optional
  assert.equal(decodeLayout(L, Uint8Array.of(0)), { ofdCode: 0 });
  const v = decodeLayout(L, Uint8Array.of(0, 0x41));
  assert.is(v.ofdCode, 0);
  assert.equal(arr(v.message ?? new Uint8Array(0)), [0x41]);
});

test('too-short answers throw FN_PROTOCOL', () => {
  const L = [['a', 'u8'], ['b', 'u32']] as const;
  assert.throws(() => decodeLayout(L, Uint8Array.of(1, 2, 3)), isProtocolError);
  assert.throws(() => decodeLayout(L, new Uint8Array(0)), isProtocolError);
  assert.throws(() => decodeLayout(FN.getStatus.response, new Uint8Array(29)), isProtocolError);
  assert.throws(() => decodeLayout([['d', 'datetime']] as const, Uint8Array.of(15, 7, 20, 18)), isProtocolError);
  assert.throws(() => decodeLayout([['r', 'rnm']] as const, new Uint8Array(19).fill(0x30)), isProtocolError);
});

test('the error message of a short answer names the field', () => {
  try {
    decodeLayout(FN.getStatus.response, new Uint8Array(10));
    assert.unreachable('should throw');
  } catch (e) {
    assert.ok(e instanceof KassaError);
    assert.match(e.message, /fnNumber/);
  }
});

test('16h form receipt request is exactly 11 bytes: DATE_TIME, operation type, u40 total', () => {
  const req = encodeLayout(FN.formReceipt.request, { dateTime: local(2015, 7, 20, 18, 33), operationType: 1, total: 17980 });
  assert.is(req.length, 11);
  assert.equal(arr(req), [0x0f, 0x07, 0x14, 0x12, 0x21, 0x01, 0x3c, 0x46, 0x00, 0x00, 0x00]);
  assert.equal(decodeLayout(FN.formReceipt.request, req), { dateTime: local(2015, 7, 20, 18, 33), operationType: 1, total: 17980 });
});

test("30h answer layout is 30 bytes and decodes field by field", () => {
  const value = {
    phase: 3,
    document: 0,
    documentData: 0,
    shiftOpen: 1,
    warnings: 0x02,
    lastDocumentTime: local(2026, 11, 23, 10, 1),
    fnNumber: '9999078900005488',
    lastFd: 0x0102,
  };
  const bytes = encodeLayout(FN.getStatus.response, value);
  assert.is(bytes.length, 30);
  assert.equal(arr(bytes), [3, 0, 0, 1, 2, 26, 11, 23, 10, 1, ...ascii('9999078900005488'), 0x02, 0x01, 0, 0]);
  assert.equal(decodeLayout(FN.getStatus.response, bytes), value);
});

test('30h request has no data', () => {
  assert.is(encodeLayout(FN.getStatus.request, {}).length, 0);
});

test('A3h request: DATE_TIME + INN 12 + RNM 20 + 3 bytes + OFD INN 12, reason codes optional', () => {
  const base = { dateTime: local(2026, 11, 23, 10), inn: '7707083893', rnm: '0000000001061234', taxSystems: 1, workMode: 0, extendedFlags: 0, ofdInn: '7704211201' };
  assert.is(encodeLayout(FN.formRegistration12.request, base).length, 5 + 12 + 20 + 3 + 12);
  assert.is(encodeLayout(FN.formRegistration12.request, { ...base, reasonCodes: 4 }).length, 5 + 12 + 20 + 3 + 12 + 4);
});

test('a layout written once decodes what it encodes, for every command table entry with fixed fields', () => {
  // Round trip through a value built from the layout itself: checks sizes and that no two
  // field types disagree between encode and decode.
  const sample = (layout: Layout): Record<string, unknown> => {
    const v: Record<string, unknown> = {};
    for (const [name, type] of layout) {
      if (type === 'rest') v[name] = Uint8Array.of(1, 2, 3);
      else if (type === 'datetime') v[name] = local(2026, 11, 23, 10, 7);
      else if (type === 'date') v[name] = local(2026, 11, 23);
      else if (type === 'rnm') v[name] = '0000000001061234';
      else if (typeof type === 'object' && 'ascii' in type) v[name] = 'A'.repeat(Math.min(3, type.ascii));
      else if (typeof type === 'object') v[name] = new Uint8Array(type.bytes).fill(7);
      else v[name] = 1;
    }
    return v;
  };
  let checked = 0;
  for (const [key, command] of Object.entries(FN)) {
    for (const layout of [command.request, command.response] as Layout[]) {
      const value = sample(layout);
      const bytes = encodeLayout(layout, value as never);
      const back = decodeLayout(layout, bytes) as Record<string, unknown>;
      for (const [name] of layout) {
        const a = value[name];
        const b = back[name];
        if (a instanceof Uint8Array) assert.equal(arr(b as Uint8Array), arr(a), `${key}.${name}`);
        else assert.is(b, a, `${key}.${name}`);
      }
      checked++;
    }
  }
  assert.ok(checked > 40);
});

test.run();
