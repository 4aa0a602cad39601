import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { crc16CcittFalse } from '../../firmware/core/crc16-ccitt.ts';

test('CRC-16/CCITT-FALSE check value of "123456789" is 0x29B1', () => {
  assert.is(crc16CcittFalse(new TextEncoder().encode('123456789')), 0x29b1);
});

test('CRC continues across a gap when seeded with the first part', () => {
  const bytes = new TextEncoder().encode('123456789');
  assert.is(crc16CcittFalse(bytes, 4, 9, crc16CcittFalse(bytes, 0, 4)), 0x29b1);
});

test.run();
