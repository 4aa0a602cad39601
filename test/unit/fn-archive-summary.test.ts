import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeArchiveSummary, RECEIPT_SUMMARY, SHIFT_SUMMARY } from '../../drivers/fn/fn-archive-layouts.ts';
import { encodeLayout } from '../../drivers/fn/fn-layout.ts';
import { KassaError } from '../../firmware/core/kassa-error.ts';

const test = suite('40h archive summary, typed (fn-protocol §5.1)');
const AT = Date.UTC(2026, 10, 23, 10, 0) / 1000;

test('a receipt struct decodes to its kind with operation and total', () => {
  const data = encodeLayout(RECEIPT_SUMMARY, { dateTime: AT, fd: 7, fpd: 123456789, operationType: 1, total: 150_00 });
  const s = decodeArchiveSummary(3, '1.2', data);
  assert.is(s.kind, 'receipt');
  if (s.kind !== 'receipt') return;
  assert.equal([s.fdType, s.fd, s.fpd, s.dateTime, s.operationType, s.total], [3, 7, 123456789, AT, 1, 150_00]);
});

test('a shift report carries its shift number', () => {
  const s = decodeArchiveSummary(5, '1.05', encodeLayout(SHIFT_SUMMARY, { dateTime: AT, fd: 9, fpd: 42, shiftNumber: 4 }));
  assert.is(s.kind, 'shift');
  assert.is(s.kind === 'shift' ? s.shiftNumber : -1, 4);
});

test('an unknown document type is an FN_PROTOCOL error, not a guess', () => {
  try {
    decodeArchiveSummary(99, '1.2', new Uint8Array(13));
    assert.unreachable('decoded an unknown type');
  } catch (e) {
    assert.instance(e, KassaError);
    assert.is((e as KassaError).code, 'FN_PROTOCOL');
  }
});

test('a struct of the wrong length is refused', () => {
  assert.throws(() => decodeArchiveSummary(3, '1.2', new Uint8Array(13)), /too short/);
});

test.run();
