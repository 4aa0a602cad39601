/**
 * receipt-from-tlv.ts, the inverse of the receipt builder: a receipt built, encoded, given
 * the tags the FN adds (1054, 1020) and decoded again reads back as the receipt it was —
 * the ground a copy from the FN archive stands on (issue 4 point 3).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { FfdVersion } from '../../firmware/fiscal/ffd-version.ts';
import { buildCorrectionReceipt, buildReceipt, vatTotals, type BuiltDocument } from '../../firmware/fiscal/receipt-builder.ts';
import { correctionReceiptFromTlv, receiptFromTlv } from '../../firmware/fiscal/receipt-from-tlv.ts';
import type { Receipt } from '../../firmware/fiscal/receipt.ts';
import { decodeTlv, encodeTlv, type TlvNode } from '../../firmware/fiscal/tlv-codec.ts';
import { vatOf, vatRate } from '../../firmware/fiscal/vat-rates.ts';
import { buy, correction, sellCashAndCard, sellRefund, thirtyItems } from '../helpers/fiscal-fixtures.ts';

const it = suite('a receipt read back from its TLV');

/** What 46h returns: the FN's 1054 and 1020 in front of the register's data, through the codec. */
function archived(doc: BuiltDocument, ffd: FfdVersion): TlvNode[] {
  const nodes: TlvNode[] = [{ tag: 1054, value: doc.operationType }, { tag: 1020, value: doc.totalKopecks }, ...doc.tlv];
  return decodeTlv(encodeTlv(nodes, ffd));
}

/** The receipt as the document stores it: each item's VAT written out (1200), the VAT totals (1102–1107). */
function withVatSums<R extends Receipt>(r: R): R {
  return {
    ...r,
    items: r.items.map((i) => {
      const rate = vatRate(i.vat);
      return rate && !rate.totalIsItemSum ? { ...i, vatSumKopecks: i.vatSumKopecks ?? vatOf(rate, i.sumKopecks) } : i;
    }),
    storedVatTotals: Object.fromEntries(vatTotals(r.items).map((n) => [n.tag, n.value as number])),
  };
}

for (const ffd of ['1.05', '1.2'] as const) {
  for (const [name, receipt] of [['sell, cash + card', sellCashAndCard], ['sell refund', sellRefund], ['buy by weight without VAT', buy], ['30 items', thirtyItems()]] as const) {
    it(`FFD ${ffd}: ${name}`, () => {
      assert.equal(receiptFromTlv(archived(buildReceipt(receipt, ffd), ffd)), withVatSums(receipt));
    });
  }
}

it('FFD 1.2 buyer details come back from 1256, FFD 1.05 from the top level', () => {
  const receipt: Receipt = { ...sellCashAndCard, buyer: { contact: '+79001234567', name: 'ИП Петров', inn: '500100732259' } };
  for (const ffd of ['1.05', '1.2'] as const) assert.equal(receiptFromTlv(archived(buildReceipt(receipt, ffd), ffd)).buyer, receipt.buyer, ffd);
});

it('FFD 1.2 correction receipt: the basis and the items come back', () => {
  const c = correction(1_760_000_000);
  const { baseName: _onlyIn105, ...basis } = c.correction;
  const back = correctionReceiptFromTlv(archived(buildCorrectionReceipt({ ...c, correction: basis }, '1.2'), '1.2'));
  assert.equal(back, { ...withVatSums(c), correction: basis });
});

it('FFD 1.05 correction receipt: the basis and totals come back; it stores no items', () => {
  const c = correction(1_760_000_000, '1.05');
  const back = correctionReceiptFromTlv(archived(buildCorrectionReceipt(c, '1.05'), '1.05'));
  assert.equal(back.correction, c.correction);
  assert.equal(back.items, []);
  assert.equal(back.storedVatTotals, { 1102: 4167 }, 'the VAT totals the document carries, for the paper');
  assert.is(back.totalKopecks, c.totalKopecks);
  assert.equal(back.payments, c.payments);
});

it('an unknown calculation sign or tax system is an error, not ПРИХОД or ОСН', () => {
  const nodes = archived(buildReceipt(sellCashAndCard, '1.2'), '1.2');
  assert.throws(() => receiptFromTlv(nodes.map((n) => (n.tag === 1054 ? { tag: 1054, value: 9 } : n))), /calculation sign \(1054\) 9/);
  assert.throws(() => receiptFromTlv(nodes.map((n) => (n.tag === 1055 ? { tag: 1055, value: 3 } : n))), /tax system \(1055\) 3/);
});

it('a receipt by instruction (1173 = 1) reads back as such', () => {
  const c = correction(1_760_000_000);
  const { baseName: _onlyIn105, ...basis } = c.correction;
  const byOrder = { ...c, correction: { ...basis, type: 'instruction' as const, baseNumber: '12-34/5' } };
  assert.is(correctionReceiptFromTlv(archived(buildCorrectionReceipt(byOrder, '1.2'), '1.2')).correction.type, 'instruction');
  assert.is(correctionReceiptFromTlv(archived(buildCorrectionReceipt(byOrder, '1.2'), '1.2')).correction.baseNumber, '12-34/5');
});

it.run();
