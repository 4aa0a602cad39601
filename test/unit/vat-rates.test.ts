/** VAT rates (vat-rates.ts): the table of fiscal-spec §2.3 (1199 codes) and §6.4, and integer VAT. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { unencodableInCp866 } from '../../firmware/fiscal/cp866.ts';
import { tagDef } from '../../firmware/fiscal/tag-table.ts';
import { vatOf, vatRate, vatRateByCode, VAT_RATES, type VatRate } from '../../firmware/fiscal/vat-rates.ts';

function rate(id: string): VatRate {
  const r = vatRate(id);
  assert.ok(r, `rate ${id} exists`);
  return r;
}

// ================================================================ table

const Table = suite('vat-rates: table');

Table('1199 codes of fiscal-spec §2.3: 1 = 20%, 2 = 10%, 3 = 20/120, 4 = 10/110, 5 = 0%, 6 = none', () => {
  assert.equal(
    VAT_RATES.map((r) => [r.id, r.code1199]),
    [
      ['vat20', 1],
      ['vat10', 2],
      ['vat120', 3],
      ['vat110', 4],
      ['vat0', 5],
      ['none', 6],
    ],
  );
});

Table('receipt total tags: 1102 20%, 1103 10%, 1106 20/120, 1107 10/110, 1104 0%, 1105 none', () => {
  assert.is(rate('vat20').totalTag, 1102);
  assert.is(rate('vat10').totalTag, 1103);
  assert.is(rate('vat120').totalTag, 1106);
  assert.is(rate('vat110').totalTag, 1107);
  assert.is(rate('vat0').totalTag, 1104);
  assert.is(rate('none').totalTag, 1105);
});

Table('only 0% and no-VAT totals are item sums', () => {
  assert.equal(
    VAT_RATES.filter((r) => r.totalIsItemSum).map((r) => r.id),
    ['vat0', 'none'],
  );
  for (const r of VAT_RATES) {
    if (r.totalIsItemSum) assert.is(r.numerator, 0n, r.id);
    else assert.ok(r.numerator > 0n && r.numerator < r.denominator, r.id);
  }
});

Table('fractions: 20/120 for 20% and 20/120, 10/110 for 10% and 10/110', () => {
  for (const id of ['vat20', 'vat120']) {
    assert.is(rate(id).numerator, 20n);
    assert.is(rate(id).denominator, 120n);
  }
  for (const id of ['vat10', 'vat110']) {
    assert.is(rate(id).numerator, 10n);
    assert.is(rate(id).denominator, 110n);
  }
});

Table('lookups by id and by code agree; unknown ones are undefined', () => {
  for (const r of VAT_RATES) {
    assert.is(vatRate(r.id), r);
    assert.is(vatRateByCode(r.code1199), r);
  }
  for (const id of ['vat5', 'vat7', 'vat22', 'vat105', 'VAT20', '', 'toString', '__proto__']) assert.is(vatRate(id), undefined, id);
  for (const code of [0, 7, 8, 9, 10, 255, -1]) assert.is(vatRateByCode(code), undefined, `code ${code}`);
});

Table('ids, codes and total tags are unique; total tags are 6-byte money VLNs', () => {
  assert.is(new Set(VAT_RATES.map((r) => r.id)).size, VAT_RATES.length);
  assert.is(new Set(VAT_RATES.map((r) => r.code1199)).size, VAT_RATES.length);
  assert.is(new Set(VAT_RATES.map((r) => r.totalTag)).size, VAT_RATES.length);
  for (const r of VAT_RATES) {
    const def = tagDef(r.totalTag);
    assert.is(def?.type, 'vln', `${r.id} → ${r.totalTag}`);
    assert.is(def?.maxLength, 6);
  }
});

Table('labels are printable in CP866', () => {
  for (const r of VAT_RATES) {
    assert.ok(r.label.length > 0);
    assert.equal(unencodableInCp866(r.label), [], r.label);
  }
});

Table.run();

// ================================================================ vatOf

const VatOf = suite('vat-rates: vatOf');

VatOf('100.00 rub at 20% holds 16.67 rub VAT; 110.00 rub at 10% holds 10.00', () => {
  assert.is(vatOf(rate('vat20'), 10000), 1667);
  assert.is(vatOf(rate('vat10'), 11000), 1000);
  assert.is(vatOf(rate('vat120'), 12000), 2000);
  assert.is(vatOf(rate('vat110'), 11000), 1000);
});

VatOf('0% and no VAT contain no VAT', () => {
  for (const id of ['vat0', 'none']) {
    for (const amount of [0, 1, 99, 10000, 2 ** 48 - 1]) assert.is(vatOf(rate(id), amount), 0, `${id} ${amount}`);
  }
});

VatOf('rounds half up to the kopeck (1/6: exact halves exist)', () => {
  const r = rate('vat20');
  const cases: Array<[number, number]> = [
    [0, 0],
    [1, 0], // 0.17
    [2, 0], // 0.33
    [3, 1], // 0.5 → up
    [4, 1], // 0.67
    [9, 2], // 1.5 → up
    [15, 3], // 2.5 → up (half-even would say 2)
    [21, 4], // 3.5 → up
    [12345, 2058], // 2057.5 → up
    [9999, 1667], // 1666.5 → up
    [9997, 1666], // 1666.17
  ];
  for (const [amount, vat] of cases) assert.is(vatOf(r, amount), vat, `20% of ${amount}`);
});

VatOf('rounds to nearest at 10/110 (1/11 has no exact halves)', () => {
  const r = rate('vat10');
  const cases: Array<[number, number]> = [
    [5, 0], // 0.45
    [6, 1], // 0.55
    [16, 1], // 1.45
    [17, 2], // 1.55
    [100, 9], // 9.09
    [104, 9], // 9.45
    [105, 10], // 9.55
  ];
  for (const [amount, vat] of cases) assert.is(vatOf(r, amount), vat, `10% of ${amount}`);
});

VatOf('matches exact integer arithmetic over a sweep of amounts', () => {
  for (const r of VAT_RATES) {
    for (let amount = 0; amount < 2000; amount++) {
      const a = BigInt(amount);
      // half up: floor(a·n/d + 1/2); compare remainders twice as large to stay in integers
      const q = (a * r.numerator) / r.denominator;
      const rem = (a * r.numerator) % r.denominator;
      const expected = Number(2n * rem >= r.denominator ? q + 1n : q);
      assert.is(vatOf(r, amount), expected, `${r.id} ${amount}`);
    }
  }
});

VatOf('exact at the top of the 6-byte money range (no floating point)', () => {
  const max = 2 ** 48 - 1; // 281474976710655
  // 281474976710655 / 6 = 46912496118442.5 → 46912496118443
  assert.is(vatOf(rate('vat20'), max), 46912496118443);
  // 281474976710655 / 11 = 25588634246423.18… → 25588634246423
  assert.is(vatOf(rate('vat10'), max), 25588634246423);
  const big = Number.MAX_SAFE_INTEGER; // 9007199254740991 / 6 = 1501199875790165.17 → …165
  assert.is(vatOf(rate('vat20'), big), 1501199875790165);
});

VatOf('a non-integer amount is refused rather than rounded', () => {
  assert.throws(() => vatOf(rate('vat20'), 100.5));
  assert.throws(() => vatOf(rate('vat10'), Number.NaN));
});

VatOf.run();
