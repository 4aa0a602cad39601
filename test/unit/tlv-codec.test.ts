/**
 * FFD TLV codec (fiscal-spec §2.1), the tag table it reads (§2.3) and CP866 text.
 * Byte-exact vectors come from fiscal-spec §2.1; the others are worked out by hand in the
 * comments so that a failure shows which side is wrong.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { concatBytes } from '../../firmware/core/bytes.ts';
import { KassaError, TlvError } from '../../firmware/core/kassa-error.ts';
import { cp866ByteLength, decodeCp866, encodeCp866, unencodableInCp866 } from '../../firmware/fiscal/cp866.ts';
import { FFD_VERSIONS } from '../../firmware/fiscal/ffd-version.ts';
import { maxLengthFor, tagDef, TAG_TABLE } from '../../firmware/fiscal/tag-table.ts';
import {
  decodeFvln,
  decodeTlv,
  decodeUint,
  encodeFvln,
  encodeNode,
  encodeTlv,
  encodeVln,
  findTag,
  type TlvNode,
} from '../../firmware/fiscal/tlv-codec.ts';

// ---------------------------------------------------------------- helpers

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(' ');
}

function bytes(text: string): Uint8Array {
  const parts = text.trim().split(/\s+/).filter((p) => p.length > 0);
  return Uint8Array.from(parts, (p) => parseInt(p, 16));
}

/** Runs fn, which must throw; returns what it threw. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  assert.unreachable('expected an exception');
  return undefined;
}

function tlvError(fn: () => unknown, code: 'TLV_ENCODE' | 'TLV_DECODE', path: string): TlvError {
  const e = thrown(fn);
  assert.instance(e, TlvError);
  const err = e as TlvError;
  assert.instance(err, KassaError);
  assert.is(err.code, code);
  assert.is(err.path, path);
  assert.ok(err.message.startsWith(`${path}: `), `message names the path: ${err.message}`);
  return err;
}

const item = (name: string, extra: readonly TlvNode[] = []): TlvNode => ({
  tag: 1059,
  value: [{ tag: 1030, value: name }, { tag: 1079, value: 8990 }, { tag: 1023, value: '2' }, { tag: 1043, value: 17980 }, ...extra],
});

// ================================================================ CP866

const Cp866 = suite('cp866');

Cp866('encodes Cyrillic to CP866 bytes ("Молоко" → 8C AE AB AE AA AE)', () => {
  assert.is(hex(encodeCp866('Молоко')), '8C AE AB AE AA AE');
  assert.is(hex(encodeCp866('Ёё')), 'F0 F1');
  assert.is(hex(encodeCp866('AZ 09')), '41 5A 20 30 39');
});

Cp866('decodes CP866 bytes back to text', () => {
  assert.is(decodeCp866(bytes('8C AE AB AE AA AE')), 'Молоко');
  assert.is(decodeCp866(bytes('F0 F1')), 'Ёё');
  // a view into a larger buffer decodes only its own bytes
  const big = bytes('00 8C AE AB AE AA AE 00');
  assert.is(decodeCp866(big.subarray(1, 7)), 'Молоко');
});

Cp866('lists the characters CP866 cannot carry, once each', () => {
  assert.equal(unencodableInCp866('Молоко 1 л'), []);
  assert.equal(unencodableInCp866('5 €'), ['€']);
  assert.equal(unencodableInCp866('€ и € и ™'), ['€', '™']);
  assert.equal(unencodableInCp866('ООО «Ромашка» — кафе'), ['«', '»', '—']);
  assert.equal(unencodableInCp866('№ 5, 20°, кВт∙ч'), []);
  assert.equal(unencodableInCp866('🙂'), ['🙂']);
});

Cp866('a literal "?" is not mistaken for an unencodable character', () => {
  assert.equal(unencodableInCp866('Что?'), []);
});

Cp866('byte length is one byte per character', () => {
  assert.is(cp866ByteLength('Молоко'), 6);
  assert.is(cp866ByteLength(''), 0);
  assert.is(cp866ByteLength('кВт∙ч'), 5);
});

Cp866.run();

// ================================================================ tag table

const TagTable = suite('tag-table');

TagTable('money tags are VLN of at most 6 bytes (fiscal-spec §2.1)', () => {
  for (const tag of [1020, 1031, 1043, 1079, 1081, 1102, 1103, 1104, 1105, 1106, 1107, 1200, 1215, 1216, 1217]) {
    const def = tagDef(tag);
    assert.ok(def, `tag ${tag} is in the table`);
    assert.is(def.type, 'vln', `tag ${tag}`);
    for (const ffd of FFD_VERSIONS) assert.is(maxLengthFor(def, ffd), 6, `tag ${tag} FFD ${ffd}`);
  }
});

TagTable('1059 is 328 bytes in FFD 1.05 and 1024 in FFD 1.2', () => {
  const def = tagDef(1059);
  assert.ok(def);
  assert.is(def.type, 'stlv');
  assert.is(maxLengthFor(def, '1.05'), 328);
  assert.is(maxLengthFor(def, '1.2'), 1024);
});

TagTable('INN tags are 12 space-padded bytes; 1037 is 20, 1041 a fixed 16, 1077 six bytes', () => {
  for (const tag of [1017, 1018, 1203, 1226, 1228]) {
    const def = tagDef(tag);
    assert.ok(def);
    assert.is(def.type, 'string', `tag ${tag}`);
    assert.is(def.fixedLength, 12, `tag ${tag}`);
    assert.is(def.spacePadded, true, `tag ${tag}`);
  }
  assert.is(tagDef(1037)?.fixedLength, 20);
  assert.is(tagDef(1037)?.spacePadded, true);
  assert.is(tagDef(1041)?.fixedLength, 16);
  assert.not.ok(tagDef(1041)?.spacePadded);
  assert.is(tagDef(1077)?.type, 'bytes');
  assert.is(tagDef(1077)?.fixedLength, 6);
});

TagTable('wire types of fiscal-spec §2.1', () => {
  const types: Record<number, string> = {
    1012: 'unixtime',
    1098: 'unixtime',
    1023: 'fvln',
    1038: 'u32',
    1040: 'u32',
    1042: 'u32',
    1054: 'byte',
    1055: 'byte',
    1199: 'byte',
    1212: 'byte',
    1214: 'byte',
    1209: 'byte',
    1213: 'u16',
    1030: 'string',
    1174: 'stlv',
    1256: 'stlv',
  };
  for (const [tag, type] of Object.entries(types)) assert.is(tagDef(Number(tag))?.type, type, `tag ${tag}`);
});

TagTable('FFD-specific tags are marked for their version only', () => {
  assert.equal(tagDef(2108)?.ffd, ['1.2']);
  assert.equal(tagDef(1256)?.ffd, ['1.2']);
  assert.equal(tagDef(1163)?.ffd, ['1.2']);
  assert.equal(tagDef(1197)?.ffd, ['1.05']);
  assert.equal(tagDef(1162)?.ffd, ['1.05']);
  assert.equal(tagDef(1177)?.ffd, ['1.05']);
});

TagTable('every row is consistent: tag key, known FFD, fixed length within max', () => {
  assert.ok(TAG_TABLE.size > 50);
  for (const [tag, def] of TAG_TABLE) {
    assert.is(def.tag, tag);
    assert.ok(def.ffd.length > 0, `tag ${tag} exists in some FFD`);
    for (const v of def.ffd) assert.ok(FFD_VERSIONS.includes(v), `tag ${tag}: FFD ${v}`);
    for (const v of FFD_VERSIONS) {
      const max = maxLengthFor(def, v);
      assert.ok(Number.isInteger(max) && max > 0 && max <= 0xffff, `tag ${tag} max ${max}`);
      if (def.fixedLength !== undefined) assert.ok(def.fixedLength <= max, `tag ${tag} fixed ≤ max`);
    }
  }
});

TagTable('an unknown tag has no definition', () => {
  assert.is(tagDef(9999), undefined);
  assert.is(tagDef(0), undefined);
});

TagTable.run();

// ================================================================ TLV codec

const Tlv = suite('tlv-codec');

// ---- VLN

Tlv('VLN uses as few bytes as needed, at least one', () => {
  assert.is(hex(encodeVln(0)), '00');
  assert.is(hex(encodeVln(1)), '01');
  assert.is(hex(encodeVln(255)), 'FF');
  assert.is(hex(encodeVln(256)), '00 01');
  assert.is(hex(encodeVln(65535)), 'FF FF');
  assert.is(hex(encodeVln(65536)), '00 00 01');
  assert.is(hex(encodeVln(0x12345678)), '78 56 34 12');
  assert.is(hex(encodeVln(2 ** 48 - 1)), 'FF FF FF FF FF FF');
  assert.is(hex(encodeVln(123456789n)), '15 CD 5B 07');
});

Tlv('VLN refuses a negative value', () => {
  assert.throws(() => encodeVln(-1), RangeError);
});

Tlv('money node: minimal VLN on the wire (1020)', () => {
  // 1020 = 0x03FC
  assert.is(hex(encodeNode({ tag: 1020, value: 0 }, '1.2')), 'FC 03 01 00 00');
  assert.is(hex(encodeNode({ tag: 1020, value: 255 }, '1.2')), 'FC 03 01 00 FF');
  assert.is(hex(encodeNode({ tag: 1020, value: 256 }, '1.05')), 'FC 03 02 00 00 01');
  assert.is(hex(encodeNode({ tag: 1020, value: 2 ** 48 - 1 }, '1.2')), 'FC 03 06 00 FF FF FF FF FF FF');
});

Tlv('money node: 2^48 does not fit in 6 bytes and is refused', () => {
  tlvError(() => encodeNode({ tag: 1020, value: 2 ** 48 }, '1.2'), 'TLV_ENCODE', '1020');
  tlvError(() => encodeNode({ tag: 1043, value: 2 ** 48 }, '1.05'), 'TLV_ENCODE', '1043');
});

Tlv('money node: negative, fractional and non-number kopecks are refused', () => {
  tlvError(() => encodeNode({ tag: 1043, value: -1 }, '1.2'), 'TLV_ENCODE', '1043');
  tlvError(() => encodeNode({ tag: 1043, value: 100.5 }, '1.2'), 'TLV_ENCODE', '1043');
  tlvError(() => encodeNode({ tag: 1043, value: '100' }, '1.2'), 'TLV_ENCODE', '1043');
  tlvError(() => encodeNode({ tag: 1043, value: Number.NaN }, '1.2'), 'TLV_ENCODE', '1043');
});

Tlv('money node decodes back, and a VLN of 0 or 7 bytes is refused on decode', () => {
  for (const v of [0, 1, 255, 256, 65536, 123456789, 2 ** 48 - 1]) {
    assert.equal(decodeTlv(encodeNode({ tag: 1031, value: v }, '1.2')), [{ tag: 1031, value: v }], `value ${v}`);
  }
  // 1031 = 0x0407
  tlvError(() => decodeTlv(bytes('07 04 07 00 01 02 03 04 05 06 07')), 'TLV_DECODE', '1031');
  tlvError(() => decodeTlv(bytes('07 04 00 00')), 'TLV_DECODE', '1031');
});

Tlv('decodeUint reads up to 6 little-endian bytes exactly', () => {
  assert.is(decodeUint(bytes('00 01')), 256);
  assert.is(decodeUint(bytes('FF FF FF FF FF FF')), 2 ** 48 - 1);
  assert.is(decodeUint(new Uint8Array(0)), 0);
});

// ---- FVLN

Tlv('FVLN 1234567.89 = 02 15 CD 5B 07 (fiscal-spec §2.1)', () => {
  assert.is(hex(encodeFvln('1234567.89', 8)), '02 15 CD 5B 07');
  assert.is(decodeFvln(bytes('02 15 CD 5B 07')), '1234567.89');
  // 1023 = 0x03FF
  assert.is(hex(encodeNode({ tag: 1023, value: '1234567.89' }, '1.2')), 'FF 03 05 00 02 15 CD 5B 07');
  assert.equal(decodeTlv(bytes('FF 03 05 00 02 15 CD 5B 07')), [{ tag: 1023, value: '1234567.89' }]);
});

Tlv('FVLN 1453.67 starts 02 D7 37 02 (fiscal-spec §2.1)', () => {
  assert.is(hex(encodeFvln('1453.67', 8)), '02 D7 37 02');
});

Tlv('FVLN keeps the scale: "1.000" = 03 E8 03, "0.250" = 03 FA', () => {
  assert.is(hex(encodeFvln('1.000', 8)), '03 E8 03');
  assert.is(hex(encodeFvln('0.250', 8)), '03 FA');
  assert.is(decodeFvln(bytes('03 E8 03')), '1.000');
  assert.is(decodeFvln(bytes('03 FA')), '0.250');
  assert.equal(decodeTlv(encodeNode({ tag: 1023, value: '0.250' }, '1.05')), [{ tag: 1023, value: '0.250' }]);
  assert.equal(decodeTlv(encodeNode({ tag: 1023, value: '1.000' }, '1.2')), [{ tag: 1023, value: '1.000' }]);
});

Tlv('FVLN integers have scale 0; small fractions keep their leading zeros', () => {
  assert.is(hex(encodeFvln('1', 8)), '00 01');
  assert.is(hex(encodeFvln('0', 8)), '00 00');
  assert.is(hex(encodeFvln('0.001', 8)), '03 01');
  assert.is(decodeFvln(bytes('03 01')), '0.001');
  assert.is(decodeFvln(bytes('00 00')), '0');
  assert.is(decodeFvln(bytes('06 01')), '0.000001');
});

Tlv('FVLN refuses what is not a plain non-negative decimal', () => {
  for (const bad of ['-1', '1e3', '1,5', '.5', '1.', '', ' 1', '1.2.3', 'abc']) {
    tlvError(() => encodeNode({ tag: 1023, value: bad }, '1.2'), 'TLV_ENCODE', '1023');
  }
  tlvError(() => encodeNode({ tag: 1023, value: 1 }, '1.2'), 'TLV_ENCODE', '1023');
});

Tlv('FVLN at most 8 bytes: a 7-byte mantissa fits, an 8-byte one does not', () => {
  const max7 = (2n ** 56n - 1n).toString();
  assert.is(encodeNode({ tag: 1023, value: max7 }, '1.2').length, 4 + 8);
  tlvError(() => encodeNode({ tag: 1023, value: (2n ** 56n).toString() }, '1.2'), 'TLV_ENCODE', '1023');
});

Tlv('FVLN decode refuses fewer than 2 bytes', () => {
  tlvError(() => decodeTlv(bytes('FF 03 01 00 02')), 'TLV_DECODE', '1023');
});

// ---- fixed-size integers

Tlv('U32 is 4 bytes little-endian (1038)', () => {
  // 1038 = 0x040E
  assert.is(hex(encodeNode({ tag: 1038, value: 0x01020304 }, '1.2')), '0E 04 04 00 04 03 02 01');
  assert.is(hex(encodeNode({ tag: 1038, value: 1 }, '1.2')), '0E 04 04 00 01 00 00 00');
  assert.is(hex(encodeNode({ tag: 1038, value: 0xffffffff }, '1.2')), '0E 04 04 00 FF FF FF FF');
  assert.equal(decodeTlv(bytes('0E 04 04 00 04 03 02 01')), [{ tag: 1038, value: 0x01020304 }]);
  tlvError(() => encodeNode({ tag: 1038, value: 2 ** 32 }, '1.2'), 'TLV_ENCODE', '1038');
  tlvError(() => decodeTlv(bytes('0E 04 03 00 01 02 03')), 'TLV_DECODE', '1038');
});

Tlv('unixtime 1012: 8A 02 9E 55 = 1436418698', () => {
  // 1012 = 0x03F4
  assert.is(hex(encodeNode({ tag: 1012, value: 1436418698 }, '1.05')), 'F4 03 04 00 8A 02 9E 55');
  assert.equal(decodeTlv(bytes('F4 03 04 00 8A 02 9E 55')), [{ tag: 1012, value: 1436418698 }]);
});

Tlv('byte and u16 tags: exact size, range-checked', () => {
  // 1055 = 0x041F, 1213 = 0x04BD
  assert.is(hex(encodeNode({ tag: 1055, value: 32 }, '1.2')), '1F 04 01 00 20');
  assert.is(hex(encodeNode({ tag: 1213, value: 0x1234 }, '1.2')), 'BD 04 02 00 34 12');
  tlvError(() => encodeNode({ tag: 1055, value: 256 }, '1.2'), 'TLV_ENCODE', '1055');
  tlvError(() => encodeNode({ tag: 1213, value: 65536 }, '1.2'), 'TLV_ENCODE', '1213');
  tlvError(() => decodeTlv(bytes('1F 04 02 00 01 00')), 'TLV_DECODE', '1055');
  assert.equal(decodeTlv(bytes('BD 04 02 00 34 12')), [{ tag: 1213, value: 0x1234 }]);
});

// ---- strings

Tlv('CP866 text on the wire: 1030 "Молоко"', () => {
  // 1030 = 0x0406
  const wire = encodeNode({ tag: 1030, value: 'Молоко' }, '1.2');
  assert.is(hex(wire), '06 04 06 00 8C AE AB AE AA AE');
  assert.equal(decodeTlv(wire), [{ tag: 1030, value: 'Молоко' }]);
});

Tlv('a character CP866 cannot carry is refused with the tag in the path', () => {
  const err = tlvError(() => encodeNode({ tag: 1030, value: 'Кофе 5€' }, '1.2'), 'TLV_ENCODE', '1030');
  assert.match(err.message, '€');
  tlvError(() => encodeTlv([{ tag: 1009, value: 'ok' }, { tag: 1021, value: 'Кассир™' }], '1.05'), 'TLV_ENCODE', '1021');
  tlvError(() => encodeTlv([item('Кофе €')], '1.2'), 'TLV_ENCODE', '1059/1030');
});

Tlv('space-padded INN 1018: 10 digits + 2 spaces, round trip without the padding', () => {
  // 1018 = 0x03FA
  const wire = encodeNode({ tag: 1018, value: '7707083893' }, '1.2');
  assert.is(hex(wire), 'FA 03 0C 00 37 37 30 37 30 38 33 38 39 33 20 20');
  assert.equal(decodeTlv(wire), [{ tag: 1018, value: '7707083893' }]);
  const wire12 = encodeNode({ tag: 1018, value: '500100732259' }, '1.05');
  assert.is(wire12.length, 4 + 12);
  assert.is(wire12[wire12.length - 1], 0x39);
  assert.equal(decodeTlv(wire12), [{ tag: 1018, value: '500100732259' }]);
});

Tlv('INN longer than 12 bytes is refused', () => {
  tlvError(() => encodeNode({ tag: 1018, value: '7707083893000' }, '1.2'), 'TLV_ENCODE', '1018');
  tlvError(() => encodeNode({ tag: 1203, value: '1234567890123' }, '1.2'), 'TLV_ENCODE', '1203');
});

Tlv('RNM 1037 is space-padded to 20 bytes', () => {
  const wire = encodeNode({ tag: 1037, value: '0000000001048928' }, '1.2');
  assert.is(wire.length, 4 + 20);
  assert.is(hex(wire.subarray(20)), '20 20 20 20');
  assert.equal(decodeTlv(wire), [{ tag: 1037, value: '0000000001048928' }]);
});

Tlv('FN number 1041 must be exactly 16 characters (not padded)', () => {
  const wire = encodeNode({ tag: 1041, value: '9999078900001234' }, '1.2');
  assert.is(wire.length, 4 + 16);
  assert.equal(decodeTlv(wire), [{ tag: 1041, value: '9999078900001234' }]);
  tlvError(() => encodeNode({ tag: 1041, value: '999907890000123' }, '1.2'), 'TLV_ENCODE', '1041');
  tlvError(() => encodeNode({ tag: 1041, value: '99990789000012345' }, '1.2'), 'TLV_ENCODE', '1041');
});

Tlv('a non-string for a string tag is refused', () => {
  tlvError(() => encodeNode({ tag: 1030, value: 5 }, '1.2'), 'TLV_ENCODE', '1030');
  tlvError(() => encodeNode({ tag: 1030, value: [] }, '1.2'), 'TLV_ENCODE', '1030');
});

// ---- bytes

Tlv('FPD 1077 is exactly 6 opaque bytes', () => {
  // 1077 = 0x0435
  const fpd = bytes('21 04 12 34 56 78');
  const wire = encodeNode({ tag: 1077, value: fpd }, '1.2');
  assert.is(hex(wire), '35 04 06 00 21 04 12 34 56 78');
  const back = decodeTlv(wire);
  assert.is(back.length, 1);
  assert.instance(back[0]?.value, Uint8Array);
  assert.equal(back, [{ tag: 1077, value: fpd }]);
  tlvError(() => encodeNode({ tag: 1077, value: bytes('21 04 12 34 56') }, '1.2'), 'TLV_ENCODE', '1077');
  tlvError(() => encodeNode({ tag: 1077, value: 'abcdef' }, '1.2'), 'TLV_ENCODE', '1077');
});

// ---- STLV

Tlv('STLV bytes: 1059 holding 1030 "A"', () => {
  // 1059 = 0x0423; content 06 04 01 00 41 (5 bytes)
  const wire = encodeNode({ tag: 1059, value: [{ tag: 1030, value: 'A' }] }, '1.2');
  assert.is(hex(wire), '23 04 05 00 06 04 01 00 41');
  assert.equal(decodeTlv(wire), [{ tag: 1059, value: [{ tag: 1030, value: 'A' }] }]);
});

Tlv('STLV nesting round trip: a receipt document with items and a nested 1256', () => {
  const doc: TlvNode = {
    tag: 3,
    value: [
      { tag: 1055, value: 1 },
      { tag: 1031, value: 0 },
      { tag: 1081, value: 26970 },
      item('Молоко 3,2% 1 л', [{ tag: 1199, value: 2 }, { tag: 1200, value: 1635 }, { tag: 1214, value: 4 }, { tag: 1212, value: 1 }, { tag: 2108, value: 0 }]),
      item('Хлеб', [{ tag: 1023, value: '0.250' }, { tag: 2108, value: 11 }]),
      { tag: 1256, value: [{ tag: 1227, value: 'ООО "Ромашка"' }, { tag: 1228, value: '7707083893' }] },
      { tag: 1021, value: 'Иванова А.А.' },
      { tag: 1203, value: '500100732259' },
      { tag: 1009, value: 'г. Москва, ул. Тверская, д. 1' },
    ],
  };
  const wire = encodeNode(doc, '1.2');
  assert.is(wire[0], 3);
  assert.is(wire[1], 0);
  assert.is(wire[2]! | (wire[3]! << 8), wire.length - 4, 'document length covers its content');
  assert.equal(decodeTlv(wire), [doc]);
});

Tlv('encodeTlv concatenates nodes in order; findTag and concat', () => {
  const nodes: TlvNode[] = [
    { tag: 1031, value: 100 },
    { tag: 1081, value: 200 }, // 1081 = 0x0439
    { tag: 1031, value: 300 },
  ];
  const wire = encodeTlv(nodes, '1.2');
  assert.is(hex(wire), '07 04 01 00 64 39 04 01 00 C8 07 04 02 00 2C 01');
  const back = decodeTlv(wire);
  assert.equal(back, nodes);
  assert.equal(findTag(back, 1031), { tag: 1031, value: 100 });
  assert.is(findTag(back, 1215), undefined);
  assert.is(hex(concatBytes([bytes('01'), new Uint8Array(0), bytes('02 03')])), '01 02 03');
  assert.is(encodeTlv([], '1.2').length, 0);
  assert.equal(decodeTlv(new Uint8Array(0)), []);
});

Tlv('an STLV tag with a scalar value is refused', () => {
  tlvError(() => encodeNode({ tag: 1059, value: 'x' }, '1.2'), 'TLV_ENCODE', '1059');
});

// ---- max lengths

/** 1030 strings of n Cyrillic letters: n CP866 bytes each. */
const name = (n: number) => 'Я'.repeat(n);
/** STLV content of exactly `size` bytes made of 1030 (≤128) and 1191 (≤64) strings. */
function content(size: number): TlvNode[] {
  const out: TlvNode[] = [];
  let left = size;
  while (left > 4 + 64) {
    const n = Math.min(128, left - 4 - 5); // leave at least a 1-character 1191 (5 bytes) for the end
    out.push({ tag: 1030, value: name(n) });
    left -= 4 + n;
  }
  out.push({ tag: 1191, value: 'x'.repeat(left - 4) });
  return out;
}

Tlv('item name 1030: 128 CP866 bytes accepted, 129 refused', () => {
  assert.is(encodeNode({ tag: 1030, value: name(128) }, '1.2').length, 4 + 128);
  assert.is(encodeNode({ tag: 1030, value: name(128) }, '1.05').length, 4 + 128);
  const err = tlvError(() => encodeNode({ tag: 1030, value: name(129) }, '1.2'), 'TLV_ENCODE', '1030');
  assert.match(err.message, '129');
  tlvError(() => encodeNode({ tag: 1030, value: name(129) }, '1.05'), 'TLV_ENCODE', '1030');
});

Tlv('other string maxima: 1021 cashier 64, 1197 unit 16, 1009 address 256', () => {
  assert.is(encodeNode({ tag: 1021, value: name(64) }, '1.2').length, 4 + 64);
  tlvError(() => encodeNode({ tag: 1021, value: name(65) }, '1.2'), 'TLV_ENCODE', '1021');
  assert.is(encodeNode({ tag: 1197, value: name(16) }, '1.05').length, 4 + 16);
  tlvError(() => encodeNode({ tag: 1197, value: name(17) }, '1.05'), 'TLV_ENCODE', '1197');
  assert.is(encodeNode({ tag: 1009, value: name(256) }, '1.2').length, 4 + 256);
  tlvError(() => encodeNode({ tag: 1009, value: name(257) }, '1.2'), 'TLV_ENCODE', '1009');
});

Tlv('content() helper builds exactly the size asked for', () => {
  for (const size of [328, 329, 1024, 1025]) assert.is(encodeTlv(content(size), '1.2').length, size, `size ${size}`);
  // and it spends no more than 64 bytes on the filler 1191 (its maximum)
  for (const size of [5, 68, 69, 328, 1025]) assert.is(encodeTlv(content(size), '1.2').length, size, `size ${size}`);
});

Tlv('1059 in FFD 1.05: 328 bytes accepted, 329 refused', () => {
  assert.is(encodeNode({ tag: 1059, value: content(328) }, '1.05').length, 4 + 328);
  const err = tlvError(() => encodeNode({ tag: 1059, value: content(329) }, '1.05'), 'TLV_ENCODE', '1059');
  assert.match(err.message, '328');
});

Tlv('1059 in FFD 1.2: 329 and 1024 bytes accepted, 1025 refused', () => {
  assert.is(encodeNode({ tag: 1059, value: content(329) }, '1.2').length, 4 + 329);
  assert.is(encodeNode({ tag: 1059, value: content(1024) }, '1.2').length, 4 + 1024);
  tlvError(() => encodeNode({ tag: 1059, value: content(1025) }, '1.2'), 'TLV_ENCODE', '1059');
});

Tlv('an oversize repeated item is named by its index', () => {
  const nodes: TlvNode[] = [item('a'), item('b'), { tag: 1059, value: content(329) }];
  tlvError(() => encodeTlv(nodes, '1.05'), 'TLV_ENCODE', '1059[2]');
  assert.ok(encodeTlv(nodes, '1.2').length > 329);
});

// ---- FFD versions and unknown tags

Tlv('a tag that does not exist in the FFD version is refused (2108 in FFD 1.05)', () => {
  const err = tlvError(() => encodeNode({ tag: 2108, value: 0 }, '1.05'), 'TLV_ENCODE', '2108');
  assert.match(err.message, '1.05');
  assert.is(hex(encodeNode({ tag: 2108, value: 0 }, '1.2')), '3C 08 01 00 00');
  tlvError(() => encodeTlv([item('Хлеб', [{ tag: 2108, value: 0 }])], '1.05'), 'TLV_ENCODE', '1059/2108');
  tlvError(() => encodeNode({ tag: 1197, value: 'шт' }, '1.2'), 'TLV_ENCODE', '1197');
  tlvError(() => encodeNode({ tag: 1256, value: [] }, '1.05'), 'TLV_ENCODE', '1256');
  tlvError(() => encodeNode({ tag: 1162, value: bytes('01') }, '1.2'), 'TLV_ENCODE', '1162');
  tlvError(() => encodeNode({ tag: 1177, value: 'акт' }, '1.2'), 'TLV_ENCODE', '1177');
});

Tlv('encoding a tag missing from the table is refused', () => {
  const err = tlvError(() => encodeNode({ tag: 9999, value: bytes('01') }, '1.2'), 'TLV_ENCODE', '9999');
  assert.match(err.message, 'tag table');
  tlvError(() => encodeTlv([item('x', [{ tag: 9999, value: 1 }])], '1.2'), 'TLV_ENCODE', '1059/9999');
});

Tlv('unknown tags decode as raw bytes, at the top and nested', () => {
  // 9999 = 0x270F
  const top = decodeTlv(bytes('0F 27 03 00 01 02 03 07 04 01 00 05'));
  assert.equal(top, [
    { tag: 9999, value: bytes('01 02 03') },
    { tag: 1031, value: 5 },
  ]);
  assert.instance(top[0]?.value, Uint8Array);
  const nested = decodeTlv(bytes('23 04 09 00 0F 27 00 00 06 04 01 00 41'));
  assert.equal(nested, [{ tag: 1059, value: [{ tag: 9999, value: new Uint8Array(0) }, { tag: 1030, value: 'A' }] }]);
});

Tlv('decoded raw bytes are a copy, not a view of the input', () => {
  const wire = bytes('0F 27 02 00 AA BB');
  const [node] = decodeTlv(wire);
  wire[4] = 0;
  assert.equal(node?.value, bytes('AA BB'));
});

// ---- decode errors

Tlv('a truncated TLV throws TlvError TLV_DECODE naming the tag', () => {
  const wire = encodeNode({ tag: 1030, value: 'Молоко' }, '1.2');
  const err = tlvError(() => decodeTlv(wire.subarray(0, wire.length - 1)), 'TLV_DECODE', '1030');
  assert.is(err.code, 'TLV_DECODE');
});

Tlv('stray bytes shorter than a header are refused', () => {
  tlvError(() => decodeTlv(bytes('07 04 01')), 'TLV_DECODE', '/');
  const wire = concatBytes([encodeNode({ tag: 1031, value: 5 }, '1.2'), bytes('07')]);
  tlvError(() => decodeTlv(wire), 'TLV_DECODE', '/');
});

Tlv('a truncated TLV inside an STLV names the chain', () => {
  // 1059 claims 6 bytes: 1030 header says 5 but only 2 follow
  tlvError(() => decodeTlv(bytes('23 04 06 00 06 04 05 00 41 42')), 'TLV_DECODE', '1059/1030');
  // the document itself is truncated
  const doc = encodeNode({ tag: 3, value: [item('Молоко')] }, '1.2');
  tlvError(() => decodeTlv(doc.subarray(0, doc.length - 2)), 'TLV_DECODE', '3');
});

Tlv('decode works on a view into a larger buffer (byteOffset respected)', () => {
  const wire = encodeNode({ tag: 1038, value: 0x01020304 }, '1.2');
  const big = concatBytes([bytes('EE EE EE'), wire, bytes('EE')]);
  assert.equal(decodeTlv(big.subarray(3, 3 + wire.length)), [{ tag: 1038, value: 0x01020304 }]);
});

// ---- error paths for repeated tags

Tlv('encode error path: the third item is 1059[2], the second 1059[1], the first 1059', () => {
  tlvError(() => encodeTlv([item('a'), item('b'), item('c €')], '1.2'), 'TLV_ENCODE', '1059[2]/1030');
  tlvError(() => encodeTlv([item('a'), item('b €'), item('c')], '1.2'), 'TLV_ENCODE', '1059[1]/1030');
  tlvError(() => encodeTlv([item('a €'), item('b'), item('c')], '1.2'), 'TLV_ENCODE', '1059/1030');
});

Tlv('encode error path inside a document: 3/1059[2]/1023', () => {
  const doc: TlvNode = { tag: 3, value: [{ tag: 1055, value: 1 }, item('a'), item('b'), item('c', [{ tag: 1023, value: '-1' }])] };
  // the bad quantity is the item's second 1023 (the helper already put one there)
  tlvError(() => encodeNode(doc, '1.2'), 'TLV_ENCODE', '3/1059[2]/1023[1]');
  const doc2: TlvNode = { tag: 3, value: [item('a'), item('b'), { tag: 1059, value: [{ tag: 1023, value: '1,5' }] }] };
  tlvError(() => encodeNode(doc2, '1.2'), 'TLV_ENCODE', '3/1059[2]/1023');
});

Tlv('encode error path counts per tag, not per position', () => {
  const nodes: TlvNode[] = [{ tag: 1031, value: 1 }, item('a'), { tag: 1081, value: 1 }, item('b'), { tag: 1081, value: -5 }];
  tlvError(() => encodeTlv(nodes, '1.2'), 'TLV_ENCODE', '1081[1]');
  tlvError(() => encodeTlv(nodes, '1.2', '3'), 'TLV_ENCODE', '3/1081[1]');
});

// Regression: decodeTlv used to build a nested path as `${path}/${tag}` with no index, so a bad
// value in the third item was reported at `1059/1038`. It was fixed in tlv-codec.ts while these
// tests were being written; TlvError's own doc promises `3/1059[2]/1023`.
Tlv('decode error path indexes repeated tags like encode does (1059[2]/1038)', () => {
  const good = encodeTlv([item('a'), item('b')], '1.2');
  // third item with a 3-byte U32 (1038 = 0x040E): 0E 04 03 00 01 02 03
  const bad = bytes('23 04 07 00 0E 04 03 00 01 02 03');
  tlvError(() => decodeTlv(concatBytes([good, bad])), 'TLV_DECODE', '1059[2]/1038');
  tlvError(() => decodeTlv(concatBytes([bad, good])), 'TLV_DECODE', '1059/1038');
  tlvError(() => decodeTlv(concatBytes([good, bad]), '3'), 'TLV_DECODE', '3/1059[2]/1038');
  // the index counts per tag inside each STLV: the second 1038 of the first item is 1059/1038[1]
  const twice = bytes('23 04 10 00 0E 04 04 00 01 00 00 00 0E 04 04 00 01 02 03 04');
  assert.equal(decodeTlv(twice), [{ tag: 1059, value: [{ tag: 1038, value: 1 }, { tag: 1038, value: 0x04030201 }] }]);
  const twiceBad = bytes('23 04 0F 00 0E 04 04 00 01 00 00 00 0E 04 03 00 01 02 03');
  tlvError(() => decodeTlv(twiceBad), 'TLV_DECODE', '1059/1038[1]');
});

Tlv('decode error path of a whole document: 3/1059[1]/1030 for a truncated name', () => {
  const doc = encodeNode({ tag: 3, value: [{ tag: 1055, value: 1 }, item('a')] }, '1.2');
  // a second item whose 1030 claims 9 bytes but holds 1, inside a correctly sized 1059 and document
  const badItem = bytes('23 04 05 00 06 04 09 00 41');
  const content = concatBytes([doc.subarray(4), badItem]);
  const wire = concatBytes([Uint8Array.of(3, 0, content.length & 0xff, content.length >> 8), content]);
  tlvError(() => decodeTlv(wire), 'TLV_DECODE', '3/1059[1]/1030');
});

// Regression: encodeFvln wrote the scale with Uint8Array.of(fraction.length), which wraps modulo
// 256, so "0.000…0001" with 256 decimals went on the wire as 00 01 and read back as "1". Found by
// this test and fixed in tlv-codec.ts (fraction.length > 0xff is now refused) during the session.
Tlv('an FVLN whose scale does not fit a byte is refused, not wrapped; 255 decimals still fit', () => {
  const fits = `0.${'0'.repeat(254)}1`; // 255 digits after the point: scale FF, mantissa 01
  assert.is(hex(encodeNode({ tag: 1023, value: fits }, '1.2')), 'FF 03 02 00 FF 01');
  assert.equal(decodeTlv(encodeNode({ tag: 1023, value: fits }, '1.2')), [{ tag: 1023, value: fits }]);
  const tiny = `0.${'0'.repeat(255)}1`; // 256 digits after the point
  let wire: Uint8Array;
  try {
    wire = encodeNode({ tag: 1023, value: tiny }, '1.2');
  } catch (e) {
    assert.instance(e, TlvError);
    assert.is((e as TlvError).code, 'TLV_ENCODE');
    assert.is((e as TlvError).path, '1023');
    return;
  }
  // if accepted, it must at least read back as the number written (before the fix it read "1", from 00 01)
  assert.equal(decodeTlv(wire), [{ tag: 1023, value: tiny }], `accepted as ${hex(wire)}, which does not read back`);
});

Tlv.run();
