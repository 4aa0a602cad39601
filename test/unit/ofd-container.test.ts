/**
 * OFD message container (fiscal-spec §3.2): 32-byte header + body, length LE including the
 * header, CRC-CCITT-FALSE over bytes 0–1 and 4..end, FN number BCD, FD number 24-bit BE.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KassaError } from '../../firmware/core/kassa-error.ts';
import {
  bcdToFnNumber,
  CONTAINER_HEADER,
  CONTAINER_VERSION,
  decodeContainer,
  encodeContainer,
  fnNumberToBcd,
  MESSAGE_TYPE_DOCUMENT,
  type OfdContainer,
} from '../../drivers/ofd/ofd-container.ts';

const arr = (u: Uint8Array): number[] => Array.from(u);

/** Independent bitwise CRC-16/CCITT-FALSE. */
function crcBitwise(bytes: ArrayLike<number>): number {
  let crc = 0xffff;
  for (let i = 0; i < bytes.length; i++) {
    crc ^= (bytes[i] ?? 0) << 8;
    for (let k = 0; k < 8; k++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

// A small STLV body: tag 1 (receipt), length 6, two inner bytes, + a 10-byte trailer.
const BODY = Uint8Array.of(0x01, 0x00, 0x06, 0x00, 0x10, 0x04, 0x02, 0x00, 0x01, 0x02, 0x81, 0x06, 1, 2, 3, 4, 5, 6, 0, 0);
const SAMPLE: OfdContainer = { fdType: 3, fnNumber: '9999078900005488', fdNumber: 0x0a0b0c, body: BODY };

test('FN number BCD: 9999078900005488 → 99 99 07 89 00 00 54 88, and back', () => {
  assert.equal(arr(fnNumberToBcd('9999078900005488')), [0x99, 0x99, 0x07, 0x89, 0x00, 0x00, 0x54, 0x88]);
  assert.is(bcdToFnNumber(Uint8Array.of(0x99, 0x99, 0x07, 0x89, 0x00, 0x00, 0x54, 0x88)), '9999078900005488');
  assert.is(bcdToFnNumber(fnNumberToBcd('0000000000000001')), '0000000000000001');
});

test('FN numbers that are not 16 digits are refused', () => {
  const isProtocol = (e: unknown): boolean => e instanceof KassaError && e.code === 'FN_PROTOCOL';
  assert.throws(() => fnNumberToBcd('999907890000548'), isProtocol);
  assert.throws(() => fnNumberToBcd('99990789000054881'), isProtocol);
  assert.throws(() => fnNumberToBcd('99990789000054a8'), isProtocol);
  assert.throws(() => encodeContainer({ ...SAMPLE, fnNumber: '123' }), isProtocol);
});

test('header layout, byte by byte', () => {
  const c = encodeContainer(SAMPLE);
  assert.is(CONTAINER_HEADER, 32);
  assert.is(c.length, 32 + BODY.length);
  assert.equal(arr(c.subarray(0, 2)), [c.length & 0xff, c.length >> 8], 'length LE, header included');
  assert.is(c[4], 0xa5);
  assert.is(c[4], MESSAGE_TYPE_DOCUMENT);
  assert.is(c[5], 3, 'FD type');
  assert.is(c[6], 1, 'container version');
  assert.is(CONTAINER_VERSION, 1);
  assert.equal(arr(c.subarray(7, 9)), [0x10, 0x09], 'service data 1 as in the samples');
  assert.equal(arr(c.subarray(9, 17)), [0x99, 0x99, 0x07, 0x89, 0x00, 0x00, 0x54, 0x88], 'FN number BCD');
  assert.equal(arr(c.subarray(17, 20)), [0x0a, 0x0b, 0x0c], 'FD number big-endian 24-bit');
  assert.equal(arr(c.subarray(20, 32)), new Array(12).fill(0), 'service data 2');
  assert.equal(arr(c.subarray(32)), arr(BODY));
});

test('FD number is big-endian 24 bits: 1, 256, 65536, 0xFFFFFF', () => {
  const cases: [number, number[]][] = [
    [1, [0, 0, 1]],
    [256, [0, 1, 0]],
    [65536, [1, 0, 0]],
    [0x123456, [0x12, 0x34, 0x56]],
    [0xffffff, [0xff, 0xff, 0xff]],
  ];
  for (const [fd, bytes] of cases) {
    const c = encodeContainer({ ...SAMPLE, fdNumber: fd });
    assert.equal(arr(c.subarray(17, 20)), bytes, `FD ${fd}`);
    const d = decodeContainer(c);
    assert.ok(d.ok);
    if (d.ok) assert.is(d.container.fdNumber, fd);
  }
});

test('an FD number over 24 bits is refused', () => {
  assert.throws(() => encodeContainer({ ...SAMPLE, fdNumber: 0x1000000 }), (e: unknown) => e instanceof KassaError && e.code === 'FN_PROTOCOL');
});

test('CRC covers bytes 0–1 and 4..end (not the CRC field), little-endian at offset 2', () => {
  const c = encodeContainer(SAMPLE);
  const covered = [...arr(c.subarray(0, 2)), ...arr(c.subarray(4))];
  const crc = crcBitwise(covered);
  assert.equal(arr(c.subarray(2, 4)), [crc & 0xff, crc >> 8]);
  // and it is not a CRC over the whole container or over the header only
  assert.is.not(crc, crcBitwise(arr(c.subarray(4))));
});

test('the CRC changes when the length bytes change (bytes 0–1 are covered)', () => {
  const a = encodeContainer({ ...SAMPLE, body: Uint8Array.of(1, 2, 3) });
  const b = encodeContainer({ ...SAMPLE, body: Uint8Array.of(1, 2, 3, 0) });
  assert.is.not((a[2] ?? 0) | ((a[3] ?? 0) << 8), (b[2] ?? 0) | ((b[3] ?? 0) << 8));
});

test('encode → decode round trip', () => {
  const d = decodeContainer(encodeContainer(SAMPLE));
  assert.ok(d.ok);
  if (!d.ok) return;
  assert.is(d.container.fdType, SAMPLE.fdType);
  assert.is(d.container.fnNumber, SAMPLE.fnNumber);
  assert.is(d.container.fdNumber, SAMPLE.fdNumber);
  assert.equal(arr(d.container.body), arr(BODY));
});

test('round trip with an empty body and with an FD type of 7 (operator confirmation)', () => {
  const c = encodeContainer({ fdType: 7, fnNumber: '0000000000000000', fdNumber: 0, body: new Uint8Array(0) });
  assert.is(c.length, 32);
  const d = decodeContainer(c);
  assert.ok(d.ok);
  if (d.ok) assert.equal({ ...d.container, body: arr(d.container.body) }, { fdType: 7, fnNumber: '0000000000000000', fdNumber: 0, body: [] });
});

test('decode of a container that sits at an offset inside a bigger buffer', () => {
  const c = encodeContainer(SAMPLE);
  const big = new Uint8Array(c.length + 7);
  big.set(c, 5);
  const d = decodeContainer(big.subarray(5, 5 + c.length));
  assert.ok(d.ok, 'a subarray with a byteOffset decodes');
  if (d.ok) assert.is(d.container.fdNumber, SAMPLE.fdNumber);
});

test('the decoded body is a copy', () => {
  const c = encodeContainer(SAMPLE);
  const d = decodeContainer(c);
  c[32] = 0xee;
  assert.ok(d.ok);
  if (d.ok) assert.is(d.container.body[0], BODY[0]);
});

test("decode reports 'crc' for a flipped body byte, and for each flipped covered byte", () => {
  const c = encodeContainer(SAMPLE);
  const flipped = c.slice();
  flipped[40] = (flipped[40] ?? 0) ^ 0x01;
  assert.equal(decodeContainer(flipped), { ok: false, problem: 'crc' });
  for (const i of [4, 5, 9, 17, 20, 31, c.length - 1]) {
    const x = c.slice();
    x[i] = (x[i] ?? 0) ^ 0x80;
    assert.equal(decodeContainer(x), { ok: false, problem: 'crc' }, `byte ${i}`);
  }
  const crcByte = c.slice();
  crcByte[2] = (crcByte[2] ?? 0) ^ 0x01;
  assert.equal(decodeContainer(crcByte), { ok: false, problem: 'crc' }, 'CRC field itself');
});

test("decode reports 'length' when the length field does not match the bytes", () => {
  const c = encodeContainer(SAMPLE);
  assert.equal(decodeContainer(c.subarray(0, c.length - 1)), { ok: false, problem: 'length' }, 'truncated');
  const longer = new Uint8Array(c.length + 1);
  longer.set(c);
  assert.equal(decodeContainer(longer), { ok: false, problem: 'length' }, 'one byte extra');
  const wrong = c.slice();
  wrong[0] = (wrong[0] ?? 0) + 1;
  assert.equal(decodeContainer(wrong), { ok: false, problem: 'length' }, 'length field off by one');
});

test("decode reports 'short' below 32 bytes", () => {
  assert.equal(decodeContainer(new Uint8Array(0)), { ok: false, problem: 'short' });
  assert.equal(decodeContainer(encodeContainer(SAMPLE).subarray(0, 31)), { ok: false, problem: 'short' });
});

test("decode reports 'type' for a message type other than A5h with a valid CRC", () => {
  const c = encodeContainer(SAMPLE);
  c[4] = 0xa6;
  const crc = crcBitwise([...arr(c.subarray(0, 2)), ...arr(c.subarray(4))]);
  c[2] = crc & 0xff;
  c[3] = crc >> 8;
  assert.equal(decodeContainer(c), { ok: false, problem: 'type' });
});

test('a body too big for the uint16 length is refused', () => {
  assert.throws(() => encodeContainer({ ...SAMPLE, body: new Uint8Array(0xffff - 31) }), (e: unknown) => e instanceof KassaError);
  assert.is(encodeContainer({ ...SAMPLE, body: new Uint8Array(0xffff - 32) }).length, 0xffff);
});

test.run();
