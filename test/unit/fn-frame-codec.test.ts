/**
 * FN frame codec (fiscal-spec §1.2): 04h | LEN uint16 LE | CMD | DATA | CRC16 LE, LEN = N + 1,
 * CRC-16/CCITT-FALSE over every byte but the start byte. The expected CRCs are computed
 * here with an independent bit-by-bit implementation, and the status request is hard-coded.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ENQ, encodeFrame, FRAME_OVERHEAD, FRAME_START, MAX_FRAME_DATA } from '../../drivers/fn/fn-frame-codec.ts';

/** CRC-16/CCITT-FALSE, bit by bit: poly 0x1021, init 0xFFFF, no reflection, no xorout. */
function crcBitwise(bytes: ArrayLike<number>): number {
  let crc = 0xffff;
  for (let i = 0; i < bytes.length; i++) {
    crc ^= (bytes[i] ?? 0) << 8;
    for (let k = 0; k < 8; k++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const arr = (u: Uint8Array): number[] => Array.from(u);

test('the bitwise reference CRC has the CCITT-FALSE check value (sanity of the oracle)', () => {
  assert.is(crcBitwise(new TextEncoder().encode('123456789')), 0x29b1);
});

test('status request 30h is 04 01 00 30 + CRC over 01 00 30, little-endian (computed)', () => {
  const frame = encodeFrame(0x30);
  const crc = crcBitwise([0x01, 0x00, 0x30]);
  assert.equal(arr(frame), [0x04, 0x01, 0x00, 0x30, crc & 0xff, crc >> 8]);
});

test('status request 30h is exactly 04 01 00 30 FF CD (hard-coded)', () => {
  assert.equal(arr(encodeFrame(0x30)), [0x04, 0x01, 0x00, 0x30, 0xff, 0xcd]);
  assert.equal(arr(encodeFrame(0x30, new Uint8Array(0))), [0x04, 0x01, 0x00, 0x30, 0xff, 0xcd]);
});

test('the start byte is not covered by the CRC', () => {
  const frame = encodeFrame(0x30);
  const withStart = crcBitwise([0x04, 0x01, 0x00, 0x30]);
  const got = (frame[4] ?? 0) | ((frame[5] ?? 0) << 8);
  assert.is.not(got, withStart);
  assert.is(got, crcBitwise(frame.subarray(1, 4)));
});

test('a response frame with data: 00h answer + 4 data bytes', () => {
  const data = bytes(0xde, 0xad, 0xbe, 0xef);
  const frame = encodeFrame(0x00, data);
  const body = [0x05, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef];
  const crc = crcBitwise(body);
  assert.equal(arr(frame), [0x04, ...body, crc & 0xff, crc >> 8]);
  assert.is(frame.length, FRAME_OVERHEAD + data.length);
});

test('a warning answer keeps bit 7 in the ANSWER byte', () => {
  const frame = encodeFrame(0x80, bytes(1, 2));
  assert.is(frame[3], 0x80);
  const crc = crcBitwise([0x03, 0x00, 0x80, 1, 2]);
  assert.equal(arr(frame.subarray(6)), [crc & 0xff, crc >> 8]);
});

test('LEN = N + 1 for several sizes, little-endian, including 1536', () => {
  for (const n of [0, 1, 254, 255, 256, 300, 1535, MAX_FRAME_DATA]) {
    const data = new Uint8Array(n).map((_, i) => (i * 7) & 0xff);
    const frame = encodeFrame(0x07, data);
    assert.is(frame.length, n + 6, `frame length for N=${n}`);
    assert.is(frame[0], FRAME_START);
    assert.is((frame[1] ?? 0) | ((frame[2] ?? 0) << 8), n + 1, `LEN for N=${n}`);
    assert.is(frame[3], 0x07);
    assert.equal(arr(frame.subarray(4, 4 + n)), arr(data), `data for N=${n}`);
    const crc = crcBitwise(frame.subarray(1, 4 + n));
    assert.is((frame[4 + n] ?? 0) | ((frame[5 + n] ?? 0) << 8), crc, `CRC for N=${n}`);
  }
});

test('LEN of 256 data bytes is 01 01 (257, LE)', () => {
  const frame = encodeFrame(0x07, new Uint8Array(256));
  assert.is(frame[1], 0x01);
  assert.is(frame[2], 0x01);
});

test('data over 1536 bytes is refused', () => {
  assert.is(MAX_FRAME_DATA, 1536);
  assert.throws(() => encodeFrame(0x07, new Uint8Array(1537)), (e: unknown) => e instanceof RangeError);
  assert.throws(() => encodeFrame(0x07, new Uint8Array(4000)));
});

test('data is copied, not aliased: changing the input later does not change the frame', () => {
  const data = bytes(1, 2, 3);
  const frame = encodeFrame(0x07, data);
  data[0] = 9;
  assert.is(frame[4], 1);
});

test('a data view with a byteOffset is encoded from its own bytes', () => {
  const backing = bytes(0xaa, 0xbb, 1, 2, 3, 0xcc);
  const frame = encodeFrame(0x07, backing.subarray(2, 5));
  const crc = crcBitwise([0x04, 0x00, 0x07, 1, 2, 3]);
  assert.equal(arr(frame), [0x04, 0x04, 0x00, 0x07, 1, 2, 3, crc & 0xff, crc >> 8]);
});

test('constants: start byte 04h, ENQ 05h, overhead 6', () => {
  assert.is(FRAME_START, 0x04);
  assert.is(ENQ, 0x05);
  assert.is(FRAME_OVERHEAD, 6);
});

test.run();
