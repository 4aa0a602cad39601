/**
 * FnFrameDecoder: the framer cases of DESIGN.md §4 (split chunks, garbage before the start
 * byte, two frames in one chunk, bad CRC) plus bad lengths, ENQ on the device side and reset().
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeFrame, ENQ, MAX_FRAME_DATA, type Frame } from '../../drivers/fn/fn-frame-codec.ts';
import { FnFrameDecoder } from '../../drivers/fn/fn-frame-decoder.ts';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const arr = (u: Uint8Array): number[] => Array.from(u);
function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
const simple = (f: Frame): [number, number[]] => [f.code, arr(f.data)];

const STATUS_ANSWER = encodeFrame(0x00, bytes(0x03, 0x00, 0x00, 0x01, 0x00, 0x1a, 0x0b, 0x17, 0x0a, 0x00));
const OTHER = encodeFrame(0x80, bytes(0x04, 0x03, 0x02, 0x01));

test('one whole frame in one chunk', () => {
  const d = new FnFrameDecoder();
  const frames = d.push(STATUS_ANSWER);
  assert.equal(frames.map(simple), [[0x00, [0x03, 0x00, 0x00, 0x01, 0x00, 0x1a, 0x0b, 0x17, 0x0a, 0x00]]]);
  assert.equal(d.counters, { frames: 1, crcErrors: 0, garbageBytes: 0, resyncs: 0, badLengths: 0 });
  assert.is(d.pending, 0);
});

test('a frame with no data (LEN = 1)', () => {
  const d = new FnFrameDecoder();
  assert.equal(d.push(encodeFrame(0x02)).map(simple), [[0x02, []]]);
});

test('split chunks: byte by byte, the frame completes only with its last byte', () => {
  const d = new FnFrameDecoder();
  for (let i = 0; i < STATUS_ANSWER.length - 1; i++) {
    assert.equal(d.push(STATUS_ANSWER.subarray(i, i + 1)), [], `no frame after byte ${i}`);
    assert.is(d.pending, i + 1);
  }
  const frames = d.push(STATUS_ANSWER.subarray(STATUS_ANSWER.length - 1));
  assert.equal(frames.map(simple), [[0x00, arr(STATUS_ANSWER.subarray(4, STATUS_ANSWER.length - 2))]]);
  assert.is(d.counters.frames, 1);
  assert.is(d.counters.garbageBytes, 0);
  assert.is(d.counters.resyncs, 0);
  assert.is(d.pending, 0);
});

test('split chunks: every split point of a two-frame stream gives the same two frames', () => {
  const stream = cat(STATUS_ANSWER, OTHER);
  for (let cut = 1; cut < stream.length; cut++) {
    const d = new FnFrameDecoder();
    const frames = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))];
    assert.equal(frames.map(simple), [simple({ code: 0x00, data: STATUS_ANSWER.subarray(4, -2) }), [0x80, [4, 3, 2, 1]]], `cut at ${cut}`);
    assert.is(d.counters.crcErrors, 0);
  }
});

test('frames returned by push are copies: later chunks do not change them', () => {
  const d = new FnFrameDecoder();
  const [frame] = d.push(OTHER);
  const chunk = OTHER.slice();
  d.push(chunk);
  chunk.fill(0);
  assert.ok(frame);
  assert.equal(arr(frame.data), [4, 3, 2, 1]);
});

test('garbage before the start byte is skipped and counted', () => {
  const d = new FnFrameDecoder();
  const frames = d.push(cat(bytes(0xff, 0x00, 0x13), STATUS_ANSWER));
  assert.is(frames.length, 1);
  assert.is(frames[0]?.code, 0x00);
  assert.is(d.counters.garbageBytes, 3);
  assert.is(d.counters.resyncs, 1);
  assert.is(d.counters.frames, 1);
});

test('garbage in a chunk of its own, then a frame in the next chunk', () => {
  const d = new FnFrameDecoder();
  assert.equal(d.push(bytes(0x11, 0x22)), []);
  assert.is(d.pending, 0);
  assert.is(d.counters.garbageBytes, 2);
  const frames = d.push(OTHER);
  assert.equal(frames.map(simple), [[0x80, [4, 3, 2, 1]]]);
  assert.is(d.counters.garbageBytes, 2);
  assert.ok(d.counters.resyncs >= 1);
});

test('two frames in one chunk are both returned, in order', () => {
  const d = new FnFrameDecoder();
  const frames = d.push(cat(OTHER, STATUS_ANSWER));
  assert.equal(
    frames.map((f) => f.code),
    [0x80, 0x00],
  );
  assert.equal(arr(frames[0]?.data ?? new Uint8Array(1)), [4, 3, 2, 1]);
  assert.is(d.counters.frames, 2);
  assert.is(d.counters.garbageBytes, 0);
});

test('one and a half frames in a chunk: the first now, the second when its rest arrives', () => {
  const d = new FnFrameDecoder();
  const stream = cat(OTHER, STATUS_ANSWER);
  const first = d.push(stream.subarray(0, OTHER.length + 5));
  assert.equal(first.map((f) => f.code), [0x80]);
  assert.is(d.pending, 5);
  const second = d.push(stream.subarray(OTHER.length + 5));
  assert.equal(second.map((f) => f.code), [0x00]);
  assert.is(d.pending, 0);
});

test('bad CRC: the frame is rejected and counted, the next good frame is still decoded', () => {
  const bad = STATUS_ANSWER.slice();
  bad[6] = (bad[6] ?? 0) ^ 0x10; // a data byte
  const d = new FnFrameDecoder();
  const frames = d.push(cat(bad, OTHER));
  assert.equal(frames.map(simple), [[0x80, [4, 3, 2, 1]]]);
  assert.is(d.counters.crcErrors, 1);
  assert.is(d.counters.frames, 1);
  assert.ok(d.counters.resyncs >= 1);
  // every byte of the rejected frame was skipped as garbage
  assert.is(d.counters.garbageBytes, bad.length);
});

test('bad CRC in the CRC field itself; a 04h inside the rejected data is held as a possible start until reset()', () => {
  const bad = OTHER.slice(); // 04 05 00 80 | 04 03 02 01 | CRC: the data byte 04h looks like a start with LEN 0203h
  bad[bad.length - 1] = (bad[bad.length - 1] ?? 0) ^ 0x01;
  const d = new FnFrameDecoder();
  assert.equal(d.push(bad), []);
  assert.is(d.counters.crcErrors, 1);
  assert.is(d.pending, 6, 'the bytes from the inner 04h on wait for a 515-byte frame');
  d.reset(); // what the driver does before it sends ENQ
  assert.equal(d.push(OTHER).map((f) => f.code), [0x80]);
});

test('bad CRC, good frame in a later chunk', () => {
  const bad = OTHER.slice();
  bad[4] = (bad[4] ?? 0) ^ 0xff;
  const d = new FnFrameDecoder();
  assert.equal(d.push(bad), []);
  assert.is(d.counters.crcErrors, 1);
  assert.is(d.pending, 0, 'nothing of the bad frame is kept');
  assert.equal(d.push(STATUS_ANSWER).length, 1);
  assert.is(d.counters.frames, 1);
});

test('a LEN that claims too much holds the bytes, then the following frame is found by rescanning', () => {
  // LEN says 20 bytes follow, but only 2 data bytes and a CRC do; then a good frame.
  const bogus = bytes(0x04, 20, 0x00, 0x00, 0xaa, 0xbb, 0x12, 0x34);
  const d = new FnFrameDecoder();
  assert.equal(d.push(bogus), []);
  const tail = cat(OTHER, STATUS_ANSWER);
  const frames = d.push(tail);
  // 8 + 10 + 16 bytes: the bogus frame's 25 bytes are complete, fail their CRC, and the
  // decoder rescans from the byte after its start and finds both good frames.
  assert.equal(frames.map((f) => f.code), [0x80, 0x00]);
  assert.is(d.counters.crcErrors, 1);
  assert.is(d.counters.frames, 2);
});

test('bad length 0 is counted and skipped; the next frame is decoded', () => {
  const d = new FnFrameDecoder();
  const frames = d.push(cat(bytes(0x04, 0x00, 0x00), OTHER));
  assert.equal(frames.map((f) => f.code), [0x80]);
  assert.is(d.counters.badLengths, 1);
  assert.is(d.counters.crcErrors, 0);
  assert.is(d.counters.garbageBytes, 3);
  assert.ok(d.counters.resyncs >= 1);
});

test('bad length above 1537 is counted and skipped', () => {
  const d = new FnFrameDecoder();
  const len = MAX_FRAME_DATA + 2; // 1538
  const frames = d.push(cat(bytes(0x04, len & 0xff, len >> 8), OTHER));
  assert.equal(frames.map((f) => f.code), [0x80]);
  assert.is(d.counters.badLengths, 1);
});

test('the largest frame (1536 data bytes, LEN 1537) is accepted', () => {
  const data = new Uint8Array(MAX_FRAME_DATA).map((_, i) => (i * 13 + 1) & 0xff);
  const frame = encodeFrame(0x00, data);
  const d = new FnFrameDecoder();
  // in three uneven chunks
  const out = [...d.push(frame.subarray(0, 2)), ...d.push(frame.subarray(2, 700)), ...d.push(frame.subarray(700))];
  assert.is(out.length, 1);
  assert.equal(arr(out[0]?.data ?? new Uint8Array(0)), arr(data));
  assert.is(d.counters.badLengths, 0);
});

test('a lone ENQ is reported by takeEnq() with {acceptEnq: true}, not as garbage', () => {
  const d = new FnFrameDecoder({ acceptEnq: true });
  assert.equal(d.push(bytes(ENQ)), []);
  assert.is(d.takeEnq(), 1);
  assert.is(d.takeEnq(), 0, 'takeEnq resets the count');
  assert.is(d.counters.garbageBytes, 0);
  assert.is(d.counters.resyncs, 0);
  assert.is(d.pending, 0);
});

test('ENQ then a frame in one chunk, with {acceptEnq: true}: one ENQ and one frame', () => {
  const d = new FnFrameDecoder({ acceptEnq: true });
  const frames = d.push(cat(bytes(ENQ), encodeFrame(0x30)));
  assert.equal(frames.map((f) => f.code), [0x30]);
  assert.is(d.takeEnq(), 1);
  assert.is(d.counters.garbageBytes, 0);
});

test('several ENQs are all counted', () => {
  const d = new FnFrameDecoder({ acceptEnq: true });
  d.push(bytes(ENQ, ENQ));
  d.push(bytes(ENQ));
  assert.is(d.takeEnq(), 3);
});

test('a lone ENQ without acceptEnq is garbage, and takeEnq() stays 0', () => {
  const d = new FnFrameDecoder();
  assert.equal(d.push(bytes(ENQ)), []);
  assert.is(d.takeEnq(), 0);
  assert.is(d.counters.garbageBytes, 1);
  assert.is(d.counters.resyncs, 1);
});

test('a 05h byte inside a frame is data, not an ENQ', () => {
  const d = new FnFrameDecoder({ acceptEnq: true });
  const frame = encodeFrame(0x07, bytes(ENQ, ENQ));
  const frames = d.push(frame);
  assert.equal(frames.map(simple), [[0x07, [ENQ, ENQ]]]);
  assert.is(d.takeEnq(), 0);
});

test('reset() drops a partial frame: the rest of it alone decodes nothing', () => {
  const d = new FnFrameDecoder();
  assert.equal(d.push(STATUS_ANSWER.subarray(0, 7)), []);
  assert.is(d.pending, 7);
  d.reset();
  assert.is(d.pending, 0);
  assert.is(d.counters.garbageBytes, 7);
  assert.is(d.counters.resyncs, 1);
  assert.equal(d.push(STATUS_ANSWER.subarray(7)), []);
  assert.is(d.counters.frames, 0);
  // and a whole frame afterwards decodes normally
  assert.equal(d.push(OTHER).map((f) => f.code), [0x80]);
});

test('reset() with nothing pending changes no counter', () => {
  const d = new FnFrameDecoder();
  d.push(OTHER);
  const before = { ...d.counters };
  d.reset();
  assert.equal(d.counters, before);
});

test('a chunk of only the start byte and one LEN byte waits for the rest', () => {
  const d = new FnFrameDecoder();
  assert.equal(d.push(bytes(0x04, 0x05)), []);
  assert.is(d.pending, 2);
  assert.is(d.counters.badLengths, 0);
  assert.equal(d.push(OTHER.subarray(2)).map((f) => f.code), [0x80]);
});

test.run();
