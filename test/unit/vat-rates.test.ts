/** VAT rates (vat-rates.ts): the table of fiscal-spec §7.1 (1199 codes, Sberbank codes, totals), §7.2 dates, and integer VAT. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { unencodableInCp866 } from '../../firmware/fiscal/cp866.ts';
import { tagDef } from '../../firmware/fiscal/tag-table.ts';
import { rateUseAt, SBER_OBSOLETE_TAX_TYPES, vatOf, vatRate, vatRateBySberTaxType, vatRateByCode, VAT_RATES, type RateUse, type VatRate } from '../../firmware/fiscal/vat-rates.ts';

function rate(id: string): VatRate {
  const r = vatRate(id);
  assert.ok(r, `rate ${id} exists`);
  return r;
}

// ================================================================ table

const Table = suite('vat-rates: table');

Table('1199 codes of fiscal-spec §7.1: 1–6 as before, 7 = 5%, 8 = 7%, 9 = 5/105, 10 = 7/107, 11 = 22%, 12 = 22/122', () => {
  assert.equal(
    VAT_RATES.map((r) => [r.id, r.code1199]),
    [
      ['vat20', 1],
      ['vat10', 2],
      ['vat120', 3],
      ['vat110', 4],
      ['vat0', 5],
      ['none', 6],
      ['vat5', 7],
      ['vat7', 8],
      ['vat105', 9],
      ['vat107', 10],
      ['vat22', 11],
      ['vat122', 12],
    ],
  );
});

Table('receipt total tags: 1102 20%, 1103 10%, 1106 20/120, 1107 10/110, 1104 0%, 1105 none; codes 7–12 have none (1115)', () => {
  assert.is(rate('vat20').totalTag, 1102);
  assert.is(rate('vat10').totalTag, 1103);
  assert.is(rate('vat120').totalTag, 1106);
  assert.is(rate('vat110').totalTag, 1107);
  assert.is(rate('vat0').totalTag, 1104);
  assert.is(rate('none').totalTag, 1105);
  for (const id of ['vat5', 'vat7', 'vat105', 'vat107', 'vat22', 'vat122']) assert.is(rate(id).totalTag, undefined, id);
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

Table('fractions: n/(100+n) for every rate n %, and the same for n/(100+n)', () => {
  for (const id of ['vat20', 'vat120']) {
    assert.is(rate(id).numerator, 20n);
    assert.is(rate(id).denominator, 120n);
  }
  for (const id of ['vat10', 'vat110']) {
    assert.is(rate(id).numerator, 10n);
    assert.is(rate(id).denominator, 110n);
  }
  for (const [id, n] of [['vat5', 5n], ['vat105', 5n], ['vat7', 7n], ['vat107', 7n], ['vat22', 22n], ['vat122', 22n]] as const) {
    assert.is(rate(id).numerator, n, id);
    assert.is(rate(id).denominator, 100n + n, id);
  }
});

Table('lookups by id, by 1199 code and by Sberbank taxType agree; unknown ones are undefined', () => {
  for (const r of VAT_RATES) {
    assert.is(vatRate(r.id), r);
    assert.is(vatRateByCode(r.code1199), r);
    assert.is(vatRateBySberTaxType(r.sberTaxType), r);
  }
  for (const id of ['vat18', 'vat118', 'VAT20', '', 'toString', '__proto__']) assert.is(vatRate(id), undefined, id);
  for (const code of [0, 13, 255, -1]) assert.is(vatRateByCode(code), undefined, `code ${code}`);
  // Sberbank 3 and 5 (18 %) name no rate: refused, never remapped (fiscal-spec §7.1).
  for (const code of [3, 5, 14, -1]) assert.is(vatRateBySberTaxType(code), undefined, `taxType ${code}`);
  assert.equal(Object.keys(SBER_OBSOLETE_TAX_TYPES).map(Number), [3, 5]);
});

Table('Sberbank taxType column: by name, not by position (5/105 before 7 % there)', () => {
  const sber = Object.fromEntries(VAT_RATES.map((r) => [r.id, r.sberTaxType]));
  assert.equal(sber, { none: 0, vat0: 1, vat10: 2, vat110: 4, vat20: 6, vat120: 7, vat5: 8, vat105: 9, vat7: 10, vat107: 11, vat22: 12, vat122: 13 });
});

Table('ids, codes and own total tags are unique; total tags are 6-byte money VLNs; 1120 too', () => {
  assert.is(new Set(VAT_RATES.map((r) => r.id)).size, VAT_RATES.length);
  assert.is(new Set(VAT_RATES.map((r) => r.code1199)).size, VAT_RATES.length);
  assert.is(new Set(VAT_RATES.map((r) => r.sberTaxType)).size, VAT_RATES.length);
  const own = VAT_RATES.flatMap((r) => (r.totalTag !== undefined ? [r.totalTag] : []));
  assert.is(new Set(own).size, own.length);
  assert.is(own.length, 6);
  for (const tag of [...own, 1120]) {
    const def = tagDef(tag);
    assert.is(def?.type, 'vln', String(tag));
    assert.is(def?.maxLength, 6);
  }
  assert.is(tagDef(1115)?.type, 'stlv');
  assert.is(tagDef(1119)?.type, 'stlv');
});

Table('dates: 5 %/7 % from 2025, 22 % from 2026; before that refused; 20 % in 2026 with a warning', () => {
  const at = (iso: string): number => Date.parse(`${iso}T12:00:00Z`) / 1000;
  const use = (id: string, iso: string): RateUse => rateUseAt(rate(id), at(iso));
  for (const id of ['vat22', 'vat122']) {
    const before = use(id, '2025-12-31');
    assert.is(before.ok, false, id);
    if (!before.ok) assert.match(before.message, /exists from 01\.01\.2026; this document is dated 31\.12\.2025/);
    assert.equal(use(id, '2026-01-01'), { ok: true });
  }
  for (const id of ['vat5', 'vat7', 'vat105', 'vat107']) {
    assert.is(use(id, '2024-12-31').ok, false, id);
    assert.equal(use(id, '2025-01-01'), { ok: true });
  }
  for (const [id, successor] of [['vat20', 'vat22'], ['vat120', 'vat122']] as const) {
    assert.equal(use(id, '2025-12-31'), { ok: true }, `${id} in 2025`);
    const in2026 = use(id, '2026-11-30');
    assert.ok(in2026.ok && in2026.warning?.includes(successor), `${id} in 2026 warns and names ${successor}`);
  }
  for (const id of ['vat10', 'vat110', 'vat0', 'none']) assert.equal(use(id, '2026-11-30'), { ok: true });
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
