import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeSessionHeader, FLAGS_CONTAINER_RESPONSE, wrapMessage } from '../../drivers/ofd/session-header.ts';

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

test('the 30-byte session header, byte by byte (fiscal-spec §3.1)', () => {
  const container = Uint8Array.of(0xaa, 0xbb, 0xcc);
  const m = wrapMessage(container, '9999078900005488', 0x0105);
  assert.is(m.length, 33);
  assert.is(hex(m.subarray(0, 4)), '2a 08 41 0a', 'signature');
  assert.is(hex(m.subarray(4, 6)), '81 a2', 'S-version');
  assert.is(hex(m.subarray(6, 8)), '01 05', 'P-version FFD 1.05');
  assert.is(new TextDecoder().decode(m.subarray(8, 24)), '9999078900005488');
  assert.is(hex(m.subarray(24, 26)), '03 00', 'body length LE');
  assert.is(hex(m.subarray(26, 28)), '14 00', 'flags: container + response expected');
  assert.is(hex(m.subarray(28, 30)), '00 00', 'no CRC in mode 0');
  assert.is(hex(m.subarray(30)), 'aa bb cc', 'the container follows unchanged');
});

test('decode: fields back; a wrong signature or S-version is named', () => {
  const m = wrapMessage(new Uint8Array(5), '9999078900005488', 0x0120);
  const d = decodeSessionHeader(m);
  assert.ok(d.ok);
  if (d.ok) assert.equal(d.header, { pVersion: 0x0120, fnNumber: '9999078900005488', bodyLength: 5, flags: FLAGS_CONTAINER_RESPONSE, crc: 0 });
  const bad = m.slice();
  bad[0] = 0;
  assert.equal(decodeSessionHeader(bad), { ok: false, problem: 'signature' });
  const sv = m.slice();
  sv[5] = 0;
  assert.equal(decodeSessionHeader(sv), { ok: false, problem: 's-version' });
  assert.equal(decodeSessionHeader(m.subarray(0, 29)), { ok: false, problem: 'short' });
});

test('CRC modes: header only (1) and whole message (2) fill the CRC field', () => {
  const body = Uint8Array.of(1, 2, 3);
  const h = wrapMessage(body, '9999078900005488', 0x0105, 0x0015);
  const w = wrapMessage(body, '9999078900005488', 0x0105, 0x0016);
  assert.not.equal(hex(h.subarray(28, 30)), '00 00');
  assert.not.equal(hex(h.subarray(28, 30)), hex(w.subarray(28, 30)), 'the body counts only in mode 2');
});

test.run();
