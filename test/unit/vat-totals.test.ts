/**
 * Receipt VAT totals (vat-totals.ts, fiscal-spec §7.1; issue 10 §1–2): rates 1–6 in their own
 * tags, rates 7–12 in 1115 → 1119 {1199, 1120}, no total with value 0, and 1104 = 0 only
 * when 1115 holds every total. The builder and the paper read the same function.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildReceipt } from '../../firmware/fiscal/receipt-builder.ts';
import type { Receipt, ReceiptItem } from '../../firmware/fiscal/receipt.ts';
import { decodeTlv, encodeTlv, type TlvNode } from '../../firmware/fiscal/tlv-codec.ts';
import type { VatRateId } from '../../firmware/fiscal/vat-rates.ts';
import { printedTotals, rateTotals, totalsFrom1115, vatTotals } from '../../firmware/fiscal/vat-totals.ts';

const it = suite('vat-totals');

const item = (vat: VatRateId, sumKopecks: number): ReceiptItem => ({
  name: `Товар ${vat}`,
  priceKopecks: sumKopecks,
  quantity: '1',
  sumKopecks,
  measure: 'piece',
  vat,
  paymentMethod: 'full_payment',
  paymentObject: 'commodity',
});

it('22 %: one 1119 in 1115 with 1199 = 11 and 1120 = the VAT; 1104 = 0 beside it', () => {
  assert.equal(vatTotals([item('vat22', 122000)]), [
    { tag: 1104, value: 0 },
    { tag: 1115, value: [{ tag: 1119, value: [{ tag: 1199, value: 11 }, { tag: 1120, value: 22000 }] }] },
  ]);
});

it('every new rate gets its own 1119, in table order; codes 7–12', () => {
  const items = (['vat122', 'vat107', 'vat105', 'vat7', 'vat5', 'vat22'] as const).map((v) => item(v, 10000));
  const group = vatTotals(items).find((n) => n.tag === 1115)?.value as TlvNode[];
  const codes = group.map((e) => ((e.value as TlvNode[]).find((n) => n.tag === 1199)?.value as number));
  assert.equal(codes, [7, 8, 9, 10, 11, 12]);
  // 10000 at 5/105 → 476, 7/107 → 654, 22/122 → 1803
  assert.equal(totalsFrom1115(group), { 7: 476, 8: 654, 9: 476, 10: 654, 11: 1803, 12: 1803 });
});

it('mixed old and new rates: 1102 and 1115 side by side, no 1104 = 0', () => {
  const nodes = vatTotals([item('vat20', 12000), item('vat22', 12200)]);
  assert.equal(nodes, [
    { tag: 1102, value: 2000 },
    { tag: 1115, value: [{ tag: 1119, value: [{ tag: 1199, value: 11 }, { tag: 1120, value: 2200 }] }] },
  ]);
});

it('no total with value 0: a zero-priced item adds no 1105 = 0, nor 1102 = 0', () => {
  assert.equal(vatTotals([item('none', 0), item('vat20', 50000)]), [{ tag: 1102, value: 8333 }]);
  assert.equal(vatTotals([item('vat20', 0), item('vat10', 11000)]), [{ tag: 1103, value: 1000 }]);
  assert.equal(vatTotals([item('vat22', 0), item('vat10', 11000)]), [{ tag: 1103, value: 1000 }], 'no empty 1115 either');
  assert.equal(rateTotals([item('none', 0)]), []);
});

it('0 % still totals its turnover in 1104 when it has one', () => {
  assert.equal(vatTotals([item('vat0', 5000)]), [{ tag: 1104, value: 5000 }]);
});

it('the document encodes and decodes 1115 in FFD 1.05 and 1.2', () => {
  const receipt: Receipt = {
    operation: 'sell',
    taxSystem: 'usn_income',
    items: [item('vat22', 122000), item('vat5', 10500)],
    payments: { electronic: 132500 },
    totalKopecks: 132500,
    seller: { address: 'г. Москва' },
  };
  for (const ffd of ['1.05', '1.2'] as const) {
    const doc = buildReceipt(receipt, ffd);
    assert.equal(decodeTlv(encodeTlv(doc.tlv, ffd)), doc.tlv, ffd);
    assert.equal(printedTotals(receipt).map((t) => [t.rate.id, t.kopecks]), [['vat5', 500], ['vat22', 22000]]);
  }
});

it('stored totals (a copy) print the same lines and never a 0', () => {
  const receipt: Receipt = {
    operation: 'sell',
    taxSystem: 'osn',
    items: [],
    payments: {},
    totalKopecks: 0,
    seller: { address: 'x' },
    storedVatTotals: { 1104: 0, 1102: 100 },
    storedVatTotals1115: { 11: 2200 },
  };
  assert.equal(printedTotals(receipt).map((t) => [t.rate.id, t.kopecks]), [['vat20', 100], ['vat22', 2200]]);
});

it.run();
