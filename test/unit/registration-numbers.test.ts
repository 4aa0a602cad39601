/**
 * Check digits of INN (fiscal-spec §2.5) and RNM (fiscal-spec §2.4), and the CRC the RNM
 * rests on. Expected RNM check digits were computed independently with Python's
 * binascii.crc_hqx(data, 0xFFFF), which is CRC-16/CCITT-FALSE.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { crc16CcittFalse } from '../../firmware/core/crc16-ccitt.ts';
import { isValidInn, isValidRnm, makeRnm, rnmCheckDigits } from '../../firmware/fiscal/registration-numbers.ts';

const ascii = (text: string) => new TextEncoder().encode(text);

/** Bit-by-bit CRC-16/CCITT-FALSE straight from its definition, to check the table version. */
function crcBitwise(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) {
    crc ^= b << 8;
    for (let k = 0; k < 8; k++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

// ================================================================ INN

const Inn = suite('registration-numbers: INN');

Inn('valid 10-digit organisation INNs', () => {
  for (const inn of ['7707083893', '7736207543', '7728168971']) assert.ok(isValidInn(inn), inn);
});

Inn('valid 12-digit person INN', () => {
  assert.ok(isValidInn('500100732259'));
});

Inn('a weighted sum of 10 mod 11 gives check digit 0 (mod 11 mod 10)', () => {
  // 7707083830: Σ = 2·7+4·7+10·0+3·7+5·0+9·8+4·3+6·8+8·3 = 219, 219 mod 11 = 10 → 0
  assert.ok(isValidInn('7707083830'));
  assert.not.ok(isValidInn('7707083831'));
  // 12 digits whose 11th check digit comes from a sum ≡ 10 (mod 11)
  assert.ok(isValidInn('500100732403'));
  assert.not.ok(isValidInn('500100732413'));
});

Inn('any changed digit of a valid 10-digit INN is refused', () => {
  const inn = '7707083893';
  for (let i = 0; i < inn.length; i++) {
    const d = Number(inn[i]);
    const changed = inn.slice(0, i) + String((d + 1) % 10) + inn.slice(i + 1);
    assert.not.ok(isValidInn(changed), changed);
  }
});

Inn('a wrong 11th or 12th digit of a 12-digit INN is refused', () => {
  assert.not.ok(isValidInn('500100732258'), 'last digit');
  assert.not.ok(isValidInn('500100732269'), '11th digit');
  assert.not.ok(isValidInn('500100732249'), 'both');
  assert.not.ok(isValidInn('600100732259'), 'first digit');
});

Inn('wrong length or characters are refused', () => {
  for (const bad of ['', '770708389', '77070838930', '5001007322590', '7707O83893', ' 7707083893', '7707083893 ', '7707-83893', '+707083893', '７７０７０８３８９３']) {
    assert.not.ok(isValidInn(bad), JSON.stringify(bad));
  }
});

Inn.run();

// ================================================================ CRC16 (the RNM's checksum)

const Crc = suite('crc16-ccitt');

Crc('check value and edge cases of CRC-16/CCITT-FALSE', () => {
  assert.is(crc16CcittFalse(ascii('123456789')), 0x29b1);
  assert.is(crc16CcittFalse(new Uint8Array(0)), 0xffff);
  assert.is(crc16CcittFalse(ascii('A')), 0xb915);
});

Crc('table version equals the bitwise definition over every single byte and longer strings', () => {
  for (let b = 0; b < 256; b++) assert.is(crc16CcittFalse(Uint8Array.of(b)), crcBitwise(Uint8Array.of(b)), `byte ${b}`);
  const long = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37 + 11) & 0xff);
  assert.is(crc16CcittFalse(long), crcBitwise(long));
});

Crc('start/end select a range; init chains two parts', () => {
  const data = ascii('xx123456789yy');
  assert.is(crc16CcittFalse(data, 2, 11), 0x29b1);
  assert.is(crc16CcittFalse(data.subarray(2, 11)), 0x29b1);
  assert.is(crc16CcittFalse(data, 6, 11, crc16CcittFalse(data, 2, 6)), 0x29b1);
  assert.is(crc16CcittFalse(data, 5, 5), 0xffff);
});

Crc.run();

// ================================================================ RNM

const Rnm = suite('registration-numbers: RNM');

const INN = '7707083893';
const SERIAL = '00000000381001234567';

Rnm('check digits: decimal CRC over ordinal(10) + INN(12) + serial(20), zero-padded', () => {
  // crc_hqx(b"0000000001" b"007707083893" b"00000000381001234567", 0xFFFF) = 48928
  assert.is(rnmCheckDigits('0000000001', INN, SERIAL), '048928');
  assert.is(rnmCheckDigits('0000000001', INN, SERIAL), String(crcBitwise(ascii(`0000000001${'00' + INN}${SERIAL}`))).padStart(6, '0'));
  // crc_hqx(b"0000123456" b"500100732259" b"00000000000000012345", 0xFFFF) = 49242
  assert.is(rnmCheckDigits('123456', '500100732259', '12345'), '049242');
});

Rnm('makeRnm: 16 digits, ordinal zero-padded on the left then the 6 check digits', () => {
  assert.is(makeRnm('0000000001', INN, SERIAL), '0000000001048928');
  assert.is(makeRnm('1', INN, SERIAL), '0000000001048928');
  assert.is(makeRnm('123456', '500100732259', '12345'), '0000123456049242');
  assert.is(makeRnm('123456', '500100732259', '00000000000000012345'), '0000123456049242');
  assert.match(makeRnm('9999999999', '500100732259', 'ABC-1'), /^9999999999\d{6}$/);
});

Rnm('makeRnm / isValidRnm round trip', () => {
  for (const [ordinal, inn, serial] of [
    ['0000000001', INN, SERIAL],
    ['0000123456', '500100732259', '12345'],
    ['4242424242', '7736207543', '0492000000000123'],
    ['0000000000', '7728168971', '1'],
  ] as const) {
    const rnm = makeRnm(ordinal, inn, serial);
    assert.is(rnm.length, 16);
    assert.ok(isValidRnm(rnm, inn, serial), `${rnm} for ${inn}/${serial}`);
  }
});

Rnm('a changed digit anywhere in the RNM fails', () => {
  const rnm = makeRnm('0000000001', INN, SERIAL);
  for (let i = 0; i < rnm.length; i++) {
    for (const delta of [1, 5]) {
      const changed = rnm.slice(0, i) + String((Number(rnm[i]) + delta) % 10) + rnm.slice(i + 1);
      assert.not.ok(isValidRnm(changed, INN, SERIAL), `${changed} (position ${i})`);
    }
  }
});

Rnm('the RNM is bound to the user INN and the KKT serial', () => {
  const rnm = makeRnm('0000000001', INN, SERIAL);
  assert.not.ok(isValidRnm(rnm, '7736207543', SERIAL), 'other INN');
  assert.not.ok(isValidRnm(rnm, INN, '00000000381001234568'), 'other serial');
});

Rnm('isValidRnm refuses anything but 16 digits', () => {
  const rnm = makeRnm('0000000001', INN, SERIAL);
  assert.not.ok(isValidRnm(rnm.slice(1), INN, SERIAL), '15 digits');
  assert.not.ok(isValidRnm(`${rnm}0`, INN, SERIAL), '17 digits');
  assert.not.ok(isValidRnm(`${rnm}    `, INN, SERIAL), 'space-padded as in 1037');
  assert.not.ok(isValidRnm(`000000000A048928`, INN, SERIAL), 'a letter');
  assert.not.ok(isValidRnm('', INN, SERIAL), 'empty');
});

Rnm.run();
