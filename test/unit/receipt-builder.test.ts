/**
 * Receipt and correction-receipt builders (receipt-builder.ts) for FFD 1.05 and 1.2, with the
 * tables they read: FN-formed tags (fn-formed-tags.ts), receipt codes (receipt-codes.ts) and
 * the shared seller / cashier tags (common-tags.ts).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DocumentInvalid, KassaError } from '../../firmware/core/kassa-error.ts';
import { personTags, sellerTags } from '../../firmware/fiscal/common-tags.ts';
import { FFD_VERSIONS, type FfdVersion } from '../../firmware/fiscal/ffd-version.ts';
import { fnFormedTags, isFnFormedTag } from '../../firmware/fiscal/fn-formed-tags.ts';
import { buildCorrectionReceipt, buildReceipt, isWebSite, vatTotals, type BuiltDocument } from '../../firmware/fiscal/receipt-builder.ts';
import {
  CALCULATION_SIGN,
  codeFor,
  entryByCode,
  MEASURES,
  PAYMENT_METHODS,
  PAYMENT_OBJECTS,
  PAYMENT_TYPES,
  TAX_SYSTEMS,
  type Operation,
} from '../../firmware/fiscal/receipt-codes.ts';
import type { CorrectionReceipt, Receipt, ReceiptItem } from '../../firmware/fiscal/receipt.ts';
import { FD_TYPE } from '../../firmware/fiscal/tag-table.ts';
import { decodeTlv, encodeNode, encodeTlv, type TlvNode, type TlvValue } from '../../firmware/fiscal/tlv-codec.ts';
import type { VatRateId } from '../../firmware/fiscal/vat-rates.ts';

// ---------------------------------------------------------------- fixtures and helpers

function item(over: Partial<ReceiptItem> = {}): ReceiptItem {
  return {
    name: 'Молоко 3,2% 1 л',
    priceKopecks: 10000,
    quantity: '1',
    sumKopecks: 10000,
    measure: 'piece',
    vat: 'vat20',
    paymentMethod: 'full_payment',
    paymentObject: 'commodity',
    ...over,
  };
}

/** A receipt paid in full electronically whose total is the sum of its items. */
function receipt(items: readonly ReceiptItem[], over: Partial<Receipt> = {}): Receipt {
  const total = items.reduce((a, i) => a + i.sumKopecks, 0);
  return {
    operation: 'sell',
    taxSystem: 'osn',
    items,
    payments: { electronic: total },
    totalKopecks: total,
    seller: { address: 'г. Москва, ул. Тверская, д. 1' },
    cashier: { name: 'Иванова А.А.' },
    ...over,
  };
}

/** Every optional part filled in: seller details, cashier INN, buyer contact, name and INN. */
function fullReceipt(): Receipt {
  return receipt(
    [
      item(),
      item({ name: 'Хлеб', priceKopecks: 4000, quantity: '0.250', sumKopecks: 1000, measure: 'kilogram', vat: 'vat10', paymentObject: 'commodity' }),
      item({ name: 'Доставка', priceKopecks: 30000, sumKopecks: 30000, vat: 'none', paymentObject: 'service', paymentMethod: 'full_prepayment' }),
      item({ name: 'Экспорт', priceKopecks: 5000, sumKopecks: 5000, vat: 'vat0', paymentObject: 'job' }),
      item({ name: 'Аванс 20/120', priceKopecks: 12000, sumKopecks: 12000, vat: 'vat120', paymentMethod: 'advance', paymentObject: 'payment' }),
      item({ name: 'Аванс 10/110', priceKopecks: 11000, sumKopecks: 11000, vat: 'vat110', paymentMethod: 'advance', paymentObject: 'payment' }),
    ],
    {
      taxSystem: 'osn',
      payments: { cash: 20000, electronic: 40000, prepaid: 5000, credit: 3000, provision: 1000 },
      seller: { name: 'ООО "Ромашка"', address: 'г. Москва, ул. Тверская, д. 1', place: 'Магазин №1', email: 'kassa@example.ru', fnsSite: 'www.nalog.gov.ru' },
      cashier: { name: 'Иванова А.А.', inn: '500100732259' },
      buyer: { contact: '+79001234567', name: 'ООО "Покупатель"', inn: '7707083893' },
    },
  );
}

function correction(items: readonly ReceiptItem[], type: 'self' | 'instruction' = 'self', over: Partial<Receipt> = {}): CorrectionReceipt {
  return { ...receipt(items, over), correction: { type, baseDate: 1436418698, baseNumber: '12-к', baseName: 'Предписание' } };
}

/** The correction as a job for this FFD states it: 1177 (baseName) exists in FFD 1.05 only. */
function buildCorr(c: CorrectionReceipt, ffd: FfdVersion): BuiltDocument {
  if (ffd === '1.05') return buildCorrectionReceipt(c, ffd);
  const { baseName: _onlyIn105, ...basis } = c.correction;
  return buildCorrectionReceipt({ ...c, correction: basis }, ffd);
}

/** Every tag of a node list, nested STLVs included. */
function allTags(nodes: readonly TlvNode[]): number[] {
  const out: number[] = [];
  for (const n of nodes) {
    out.push(n.tag);
    if (Array.isArray(n.value)) out.push(...allTags(n.value as readonly TlvNode[]));
  }
  return out;
}

function topValue(doc: BuiltDocument, tag: number): TlvValue | undefined {
  return doc.tlv.find((n) => n.tag === tag)?.value;
}

function topTags(doc: BuiltDocument): number[] {
  return doc.tlv.map((n) => n.tag);
}

function itemNodes(doc: BuiltDocument): (readonly TlvNode[])[] {
  return doc.tlv.filter((n) => n.tag === 1059).map((n) => n.value as readonly TlvNode[]);
}

function valueIn(nodes: readonly TlvNode[], tag: number): TlvValue | undefined {
  return nodes.find((n) => n.tag === tag)?.value;
}

/** Runs fn, which must throw DocumentInvalid; returns its problems. */
function problemsOf(fn: () => unknown): ReadonlyArray<{ path: string; message: string }> {
  try {
    fn();
  } catch (e) {
    assert.instance(e, DocumentInvalid);
    assert.instance(e, KassaError);
    const err = e as DocumentInvalid;
    assert.is(err.code, 'DOCUMENT_INVALID');
    for (const p of err.problems) assert.ok(err.message.includes(`${p.path}: ${p.message}`), `message lists ${p.path}`);
    return err.problems;
  }
  assert.unreachable('expected DocumentInvalid');
  return [];
}

const paths = (problems: ReadonlyArray<{ path: string }>) => problems.map((p) => p.path).sort();

/** A 30-item receipt using every measure, every VAT rate and several quantities. */
function thirtyItems(ffd: FfdVersion): Receipt {
  const rates: VatRateId[] = ['vat20', 'vat10', 'vat120', 'vat110', 'vat0', 'none'];
  const quantities: Array<[string, bigint, bigint]> = [
    ['1', 1n, 1n],
    ['2', 2n, 1n],
    ['0.250', 1n, 4n],
    ['1.000', 1n, 1n],
    ['3.5', 7n, 2n],
  ];
  const objects = PAYMENT_OBJECTS.filter((o) => o.ffd.includes(ffd));
  const items: ReceiptItem[] = [];
  for (let i = 0; i < 30; i++) {
    const price = 40 * (25 + 7 * i);
    const [quantity, num, den] = quantities[i % quantities.length]!;
    items.push(
      item({
        name: `Товар №${i + 1} ${'ёжик'.repeat(i % 4)}`,
        priceKopecks: price,
        quantity,
        sumKopecks: Number((BigInt(price) * num) / den),
        measure: MEASURES[i % MEASURES.length]!.id,
        vat: rates[i % rates.length]!,
        paymentMethod: PAYMENT_METHODS[i % PAYMENT_METHODS.length]!.id,
        paymentObject: objects[i % objects.length]!.id,
      }),
    );
  }
  const total = items.reduce((a, i) => a + i.sumKopecks, 0);
  return receipt(items, { payments: { cash: 10000, electronic: total - 10000 - 3, prepaid: 1, credit: 1, provision: 1 }, buyer: { contact: 'buyer@example.ru' } });
}

// ================================================================ buildReceipt

const Receipts = suite('receipt-builder: buildReceipt');

Receipts('document type 3, the 16h operation type and the total', () => {
  const ops: Array<[Operation, number]> = [
    ['sell', 1],
    ['sell_refund', 2],
    ['buy', 3],
    ['buy_refund', 4],
  ];
  for (const ffd of FFD_VERSIONS) {
    for (const [operation, code] of ops) {
      const doc = buildReceipt(receipt([item()], { operation }), ffd);
      assert.is(doc.fdType, FD_TYPE.receipt);
      assert.is(doc.fdType, 3);
      assert.is(doc.operationType, code, `${operation} in FFD ${ffd}`);
      assert.is(doc.totalKopecks, 10000);
    }
  }
});

Receipts('never sends a tag the FN forms itself (nested STLVs walked)', () => {
  for (const ffd of FFD_VERSIONS) {
    for (const r of [fullReceipt(), thirtyItems(ffd), receipt([item()])]) {
      const doc = buildReceipt(r, ffd);
      const tags = allTags(doc.tlv);
      assert.ok(tags.includes(1030), 'walks into items');
      const formed = tags.filter((t) => isFnFormedTag(t, ffd));
      assert.equal(formed, [], `FFD ${ffd}: FN-formed tags sent: ${formed.join(', ')}`);
      // the ones the 16h parameters carry, named explicitly
      for (const t of [1012, 1018, 1020, 1037, 1038, 1040, 1041, 1042, 1054, 1077, 1209]) assert.not.ok(tags.includes(t), `FFD ${ffd} tag ${t}`);
    }
  }
});

Receipts('its TLV encodes in its own FFD, also as a whole receipt document (tag 3)', () => {
  for (const ffd of FFD_VERSIONS) {
    const doc = buildReceipt(fullReceipt(), ffd);
    const payload = encodeTlv(doc.tlv, ffd);
    assert.ok(payload.length > 100);
    const wrapped = encodeNode({ tag: doc.fdType, value: doc.tlv }, ffd);
    assert.is(wrapped.length, payload.length + 4);
    assert.equal(decodeTlv(payload), doc.tlv, `FFD ${ffd} round trip`);
  }
});

Receipts('the largest item the builder can make fits 1059 in FFD 1.05 (328 bytes)', () => {
  const big = item({
    name: 'Щ'.repeat(128),
    priceKopecks: 2 ** 48 - 1,
    quantity: '1.000000',
    sumKopecks: 2 ** 48 - 1,
    measure: 'other', // 'иная ед.', the longest label
    vat: 'vat20',
    paymentMethod: 'credit_payment',
    paymentObject: 'non-operating_gain',
  });
  const doc = buildReceipt(receipt([big]), '1.05');
  const wire = encodeTlv(doc.tlv, '1.05');
  assert.equal(decodeTlv(wire), doc.tlv);
  assert.is(valueIn(itemNodes(doc)[0]!, 1200), 46912496118443);
});

Receipts('one 1059 per item, in order, with name, price, quantity and sum', () => {
  for (const ffd of FFD_VERSIONS) {
    const doc = buildReceipt(fullReceipt(), ffd);
    const items = itemNodes(doc);
    assert.is(items.length, 6);
    assert.equal(
      items.map((n) => valueIn(n, 1030)),
      ['Молоко 3,2% 1 л', 'Хлеб', 'Доставка', 'Экспорт', 'Аванс 20/120', 'Аванс 10/110'],
    );
    const bread = items[1]!;
    assert.is(valueIn(bread, 1079), 4000);
    assert.is(valueIn(bread, 1023), '0.250');
    assert.is(valueIn(bread, 1043), 1000);
  }
});

Receipts('item codes: 1199 VAT rate, 1214 payment method, 1212 payment object', () => {
  const doc = buildReceipt(fullReceipt(), '1.2');
  const items = itemNodes(doc);
  assert.equal(
    items.map((n) => valueIn(n, 1199)),
    [1, 2, 6, 5, 3, 4],
  );
  assert.equal(
    items.map((n) => valueIn(n, 1214)),
    [4, 4, 1, 4, 3, 3],
  );
  assert.equal(
    items.map((n) => valueIn(n, 1212)),
    [1, 1, 4, 3, 10, 10],
  );
});

Receipts('tax system 1055 is the single bit of the ATOL sno name', () => {
  const cases: Array<[Receipt['taxSystem'], number]> = [
    ['osn', 1],
    ['usn_income', 2],
    ['usn_income_outcome', 4],
    ['esn', 16],
    ['patent', 32],
  ];
  for (const [taxSystem, bit] of cases) {
    for (const ffd of FFD_VERSIONS) assert.is(topValue(buildReceipt(receipt([item()], { taxSystem }), ffd), 1055), bit, taxSystem);
  }
});

// ---- VAT

Receipts('VAT 20%: 100.00 rub → 1667 kopecks in 1200 and 1102', () => {
  for (const ffd of FFD_VERSIONS) {
    const doc = buildReceipt(receipt([item({ priceKopecks: 10000, sumKopecks: 10000, vat: 'vat20' })]), ffd);
    assert.is(valueIn(itemNodes(doc)[0]!, 1200), 1667);
    assert.is(topValue(doc, 1102), 1667);
    for (const t of [1103, 1104, 1105, 1106, 1107]) assert.is(topValue(doc, t), undefined, `no ${t}`);
  }
});

Receipts('VAT 10%: 110.00 rub → 1000 kopecks in 1200 and 1103', () => {
  for (const ffd of FFD_VERSIONS) {
    const doc = buildReceipt(receipt([item({ priceKopecks: 11000, sumKopecks: 11000, vat: 'vat10' })]), ffd);
    assert.is(valueIn(itemNodes(doc)[0]!, 1200), 1000);
    assert.is(topValue(doc, 1103), 1000);
    assert.is(topValue(doc, 1102), undefined);
  }
});

Receipts('VAT is rounded half up in whole kopecks, not half-even and not truncated', () => {
  // 20/120 = 1/6: 1 → 0.17 → 0; 3 → 0.5 → 1; 9 → 1.5 → 2; 15 → 2.5 → 3 (half-even gives 2); 4 → 0.67 → 1
  const cases20: Array<[number, number]> = [
    [1, 0],
    [3, 1],
    [4, 1],
    [9, 2],
    [15, 3],
    [10001, 1667],
    [9999, 1667],
    [9997, 1666],
  ];
  for (const [sum, vat] of cases20) {
    const doc = buildReceipt(receipt([item({ priceKopecks: sum, sumKopecks: sum, vat: 'vat20' })]), '1.2');
    assert.is(valueIn(itemNodes(doc)[0]!, 1200), vat, `20% of ${sum}`);
    // A receipt-level total of 0 is not sent (issue 10 §2).
    assert.is(topValue(doc, 1102), vat || undefined, `1102 for ${sum}`);
  }
  // 10/110 = 1/11: 5 → 0.45 → 0; 6 → 0.55 → 1; 16 → 1.45 → 1; 17 → 1.55 → 2
  const cases10: Array<[number, number]> = [
    [5, 0],
    [6, 1],
    [16, 1],
    [17, 2],
  ];
  for (const [sum, vat] of cases10) {
    const doc = buildReceipt(receipt([item({ priceKopecks: sum, sumKopecks: sum, vat: 'vat10' })]), '1.05');
    assert.is(valueIn(itemNodes(doc)[0]!, 1200), vat, `10% of ${sum}`);
    assert.is(topValue(doc, 1103), vat || undefined, `1103 for ${sum}`);
  }
});

Receipts('1104 and 1105 are sums of the items at 0% and without VAT, and those items carry no 1200', () => {
  const items = [
    item({ priceKopecks: 5000, sumKopecks: 5000, vat: 'vat0' }),
    item({ priceKopecks: 2500, sumKopecks: 2500, vat: 'vat0' }),
    item({ priceKopecks: 30000, sumKopecks: 30000, vat: 'none' }),
    item({ priceKopecks: 1, sumKopecks: 1, vat: 'none' }),
  ];
  for (const ffd of FFD_VERSIONS) {
    const doc = buildReceipt(receipt(items), ffd);
    assert.is(topValue(doc, 1104), 7500);
    assert.is(topValue(doc, 1105), 30001);
    assert.is(topValue(doc, 1102), undefined);
    assert.is(topValue(doc, 1103), undefined);
    for (const n of itemNodes(doc)) assert.is(valueIn(n, 1200), undefined);
    assert.equal(
      itemNodes(doc).map((n) => valueIn(n, 1199)),
      [5, 5, 6, 6],
    );
  }
});

Receipts('1106 and 1107 for the calculated rates 20/120 and 10/110', () => {
  const doc = buildReceipt(receipt([item({ sumKopecks: 12000, priceKopecks: 12000, vat: 'vat120' }), item({ sumKopecks: 11000, priceKopecks: 11000, vat: 'vat110' })]), '1.2');
  assert.is(topValue(doc, 1106), 2000);
  assert.is(topValue(doc, 1107), 1000);
  assert.is(topValue(doc, 1102), undefined);
  assert.is(topValue(doc, 1103), undefined);
});

Receipts('a rate total sums the items at that rate and equals the sum of their 1200', () => {
  const items = [
    item({ sumKopecks: 10000, priceKopecks: 10000 }),
    item({ sumKopecks: 10000, priceKopecks: 10000 }),
    item({ sumKopecks: 12345, priceKopecks: 12345 }),
    item({ sumKopecks: 11000, priceKopecks: 11000, vat: 'vat10' }),
    item({ sumKopecks: 2200, priceKopecks: 2200, vat: 'vat10' }),
  ];
  const doc = buildReceipt(receipt(items), '1.2');
  const vats = itemNodes(doc).map((n) => valueIn(n, 1200) as number);
  // 1667 + 1667 + 2058 (12345/6 = 2057.5 → 2058); 1000 + 200
  assert.equal(vats, [1667, 1667, 2058, 1000, 200]);
  assert.is(topValue(doc, 1102), 1667 + 1667 + 2058);
  assert.is(topValue(doc, 1103), 1200);
});

Receipts('an item VAT given by the job is used as is, in 1200 and in the total', () => {
  const doc = buildReceipt(receipt([item({ vatSumKopecks: 1666 }), item({ sumKopecks: 11000, priceKopecks: 11000, vat: 'vat10', vatSumKopecks: 999 })]), '1.05');
  assert.equal(
    itemNodes(doc).map((n) => valueIn(n, 1200)),
    [1666, 999],
  );
  assert.is(topValue(doc, 1102), 1666);
  assert.is(topValue(doc, 1103), 999);
});

Receipts('VAT totals come in the order of the VAT table, one per rate used', () => {
  const doc = buildReceipt(fullReceipt(), '1.2');
  const vatTags = topTags(doc).filter((t) => t >= 1102 && t <= 1107);
  assert.equal(vatTags, [1102, 1103, 1106, 1107, 1104, 1105]);
});

Receipts('vatTotals alone: unknown rates skipped, no items → no totals', () => {
  assert.equal(vatTotals([]), []);
  assert.equal(vatTotals([item(), item({ vat: 'vat18' as VatRateId })]), [{ tag: 1102, value: 1667 }]);
});

// ---- payments

Receipts('all five payment tags are always present, zero when unused', () => {
  for (const ffd of FFD_VERSIONS) {
    const doc = buildReceipt(receipt([item()]), ffd);
    const pay = doc.tlv.filter((n) => [1031, 1081, 1215, 1216, 1217].includes(n.tag));
    assert.equal(pay, [
      { tag: 1031, value: 0 },
      { tag: 1081, value: 10000 },
      { tag: 1215, value: 0 },
      { tag: 1216, value: 0 },
      { tag: 1217, value: 0 },
    ]);
  }
});

Receipts('payments map cash→1031, electronic→1081, prepaid→1215, credit→1216, provision→1217', () => {
  for (const ffd of FFD_VERSIONS) {
    const doc = buildReceipt(fullReceipt(), ffd);
    assert.is(topValue(doc, 1031), 20000);
    assert.is(topValue(doc, 1081), 40000);
    assert.is(topValue(doc, 1215), 5000);
    assert.is(topValue(doc, 1216), 3000);
    assert.is(topValue(doc, 1217), 1000);
    for (const t of [1031, 1081, 1215, 1216, 1217]) assert.is(topTags(doc).filter((x) => x === t).length, 1, `one ${t}`);
  }
});

Receipts('PAYMENT_TYPES table: ATOL types 0..4 to the five total tags', () => {
  assert.equal(
    PAYMENT_TYPES.map((p) => [p.type, p.id, p.tag]),
    [
      [0, 'cash', 1031],
      [1, 'electronic', 1081],
      [2, 'prepaid', 1215],
      [3, 'credit', 1216],
      [4, 'provision', 1217],
    ],
  );
});

// ---- measure

Receipts('measure: 2108 code in FFD 1.2, never 1197', () => {
  const doc = buildReceipt(receipt([item(), item({ measure: 'kilogram' }), item({ measure: 'liter' }), item({ measure: 'other' })]), '1.2');
  assert.equal(
    itemNodes(doc).map((n) => valueIn(n, 2108)),
    [0, 11, 41, 255],
  );
  assert.not.ok(allTags(doc.tlv).includes(1197));
});

Receipts('measure: 1197 text in FFD 1.05, never 2108', () => {
  const doc = buildReceipt(receipt([item(), item({ measure: 'kilogram' }), item({ measure: 'liter' }), item({ measure: 'kilowatt_hour' })]), '1.05');
  assert.equal(
    itemNodes(doc).map((n) => valueIn(n, 1197)),
    ['шт', 'кг', 'л', 'кВт∙ч'],
  );
  assert.not.ok(allTags(doc.tlv).includes(2108));
});

Receipts('every measure label fits 1197 (CP866, ≤16 bytes) in FFD 1.05', () => {
  for (const m of MEASURES) {
    const doc = buildReceipt(receipt([item({ measure: m.id })]), '1.05');
    const wire = encodeTlv(doc.tlv, '1.05');
    const back = decodeTlv(wire);
    const it = back.find((n) => n.tag === 1059)?.value as readonly TlvNode[];
    assert.is(valueIn(it, 1197), m.label, m.id);
  }
});

// ---- seller, cashier, buyer

Receipts('seller and cashier tags; optional ones left out', () => {
  const full = buildReceipt(fullReceipt(), '1.2');
  assert.is(topValue(full, 1048), 'ООО "Ромашка"');
  assert.is(topValue(full, 1009), 'г. Москва, ул. Тверская, д. 1');
  assert.is(topValue(full, 1187), 'Магазин №1');
  assert.is(topValue(full, 1117), 'kassa@example.ru');
  assert.is(topValue(full, 1060), 'www.nalog.gov.ru');
  assert.is(topValue(full, 1021), 'Иванова А.А.');
  assert.is(topValue(full, 1203), '500100732259');
  const bare = buildReceipt(receipt([item()], { seller: { address: 'Москва' } }), '1.2');
  for (const t of [1048, 1187, 1117, 1060, 1203, 1008, 1227, 1228, 1256]) assert.is(topValue(bare, t), undefined, `no ${t}`);
  assert.is(topValue(bare, 1009), 'Москва');
  const { cashier: _drop, ...noCashier } = receipt([item()]);
  const anon = buildReceipt(noCashier, '1.05');
  assert.is(topValue(anon, 1021), undefined);
});

Receipts('buyer in FFD 1.2: contact 1008 at the top, name and INN grouped in 1256', () => {
  const doc = buildReceipt(fullReceipt(), '1.2');
  assert.is(topValue(doc, 1008), '+79001234567');
  assert.equal(topValue(doc, 1256), [
    { tag: 1227, value: 'ООО "Покупатель"' },
    { tag: 1228, value: '7707083893' },
  ]);
  assert.is(topValue(doc, 1227), undefined);
  assert.is(topValue(doc, 1228), undefined);
});

Receipts('buyer in FFD 1.05: 1227 and 1228 at the top, no 1256', () => {
  const doc = buildReceipt(fullReceipt(), '1.05');
  assert.is(topValue(doc, 1008), '+79001234567');
  assert.is(topValue(doc, 1227), 'ООО "Покупатель"');
  assert.is(topValue(doc, 1228), '7707083893');
  assert.not.ok(allTags(doc.tlv).includes(1256));
});

Receipts('buyer with only a name: 1256 holds just 1227', () => {
  const doc = buildReceipt(receipt([item()], { buyer: { name: 'Петров' } }), '1.2');
  assert.equal(topValue(doc, 1256), [{ tag: 1227, value: 'Петров' }]);
  assert.is(topValue(doc, 1008), undefined);
});

Receipts('sellerTags and personTags', () => {
  assert.equal(sellerTags({ address: 'A' }), [{ tag: 1009, value: 'A' }]);
  assert.equal(sellerTags({ name: 'N', address: 'A', place: 'P', email: 'E', fnsSite: 'S' }), [
    { tag: 1048, value: 'N' },
    { tag: 1009, value: 'A' },
    { tag: 1187, value: 'P' },
    { tag: 1117, value: 'E' },
    { tag: 1060, value: 'S' },
  ]);
  assert.equal(personTags(undefined), []);
  assert.equal(personTags({ name: 'И' }), [{ tag: 1021, value: 'И' }]);
  assert.equal(personTags({ name: 'И', inn: '7707083893' }), [
    { tag: 1021, value: 'И' },
    { tag: 1203, value: '7707083893' },
  ]);
});

// ---- refusals

Receipts('items that do not add up to the total: problem at "total"', () => {
  const r = receipt([item(), item()], { totalKopecks: 19999, payments: { cash: 19999 } });
  const problems = problemsOf(() => buildReceipt(r, '1.2'));
  assert.equal(paths(problems), ['total']);
  assert.match(problems[0]!.message, '20000');
  assert.match(problems[0]!.message, '19999');
});

Receipts('payments that do not add up to the total: problem at "payments"', () => {
  const r = receipt([item()], { payments: { cash: 5000, electronic: 4999 } });
  const problems = problemsOf(() => buildReceipt(r, '1.05'));
  assert.equal(paths(problems), ['payments']);
  assert.match(problems[0]!.message, '9999');
  // overpaid is refused too
  assert.equal(paths(problemsOf(() => buildReceipt(receipt([item()], { payments: { cash: 10000, electronic: 1 } }), '1.2'))), ['payments']);
});

Receipts('an unknown VAT rate: problem at items[i].vat', () => {
  const r = receipt([item(), item({ vat: 'vat18' as VatRateId })]);
  for (const ffd of FFD_VERSIONS) {
    const problems = problemsOf(() => buildReceipt(r, ffd));
    assert.equal(paths(problems), ['items[1].vat']);
    assert.match(problems[0]!.message, 'vat18');
  }
});

Receipts('a payment object that does not exist in the FFD: items[i].payment_object', () => {
  for (const object of ['deposit', 'expense', 'excise_without_marking', 'commodity_without_marking']) {
    const r = receipt([item({ paymentObject: object })]);
    const problems = problemsOf(() => buildReceipt(r, '1.05'));
    assert.equal(paths(problems), ['items[0].payment_object'], object);
    assert.match(problems[0]!.message, object);
    assert.match(problems[0]!.message, '1.05');
    // the same object is fine in FFD 1.2
    const doc = buildReceipt(r, '1.2');
    assert.is(valueIn(itemNodes(doc)[0]!, 1212), codeFor(PAYMENT_OBJECTS, object, '1.2')?.code);
  }
  const problems = problemsOf(() => buildReceipt(receipt([item({ paymentObject: 'bitcoin' })]), '1.2'));
  assert.equal(paths(problems), ['items[0].payment_object']);
});

Receipts('an unknown payment method or measure is refused with its path', () => {
  assert.equal(paths(problemsOf(() => buildReceipt(receipt([item(), item(), item({ paymentMethod: 'barter' })]), '1.2'))), ['items[2].payment_method']);
  assert.equal(paths(problemsOf(() => buildReceipt(receipt([item({ measure: 'parsec' })]), '1.05'))), ['items[0].measure']);
});

Receipts('a receipt without items is refused', () => {
  const r: Receipt = { ...receipt([]), totalKopecks: 0, payments: {} };
  assert.equal(paths(problemsOf(() => buildReceipt(r, '1.2'))), ['items']);
});

Receipts('every problem is listed at once, each with its path', () => {
  const r = receipt(
    [
      item({ vat: 'vat18' as VatRateId }),
      item({ paymentObject: 'deposit' }),
      item({ paymentMethod: 'nope', measure: 'furlong' }),
    ],
    { totalKopecks: 25000, payments: { cash: 1 } },
  );
  const problems = problemsOf(() => buildReceipt(r, '1.05'));
  assert.equal(paths(problems), ['items[0].vat', 'items[1].payment_object', 'items[2].measure', 'items[2].payment_method', 'payments', 'total']);
  for (const p of problems) assert.ok(p.message.length > 10, `message for ${p.path}`);
});

// ---- round trip

Receipts('encode + decode of a 30-item receipt equals the builder nodes (FFD 1.05 and 1.2)', () => {
  for (const ffd of FFD_VERSIONS) {
    const doc = buildReceipt(thirtyItems(ffd), ffd);
    assert.is(itemNodes(doc).length, 30);
    assert.equal(decodeTlv(encodeTlv(doc.tlv, ffd)), doc.tlv, `FFD ${ffd}`);
    // and as the whole document STLV
    assert.equal(decodeTlv(encodeNode({ tag: doc.fdType, value: doc.tlv }, ffd)), [{ tag: 3, value: doc.tlv }], `FFD ${ffd} doc`);
  }
});

Receipts('5 % and 7 % (and 5/105, 7/107) only on receipts of the simplified system (НК РФ art. 164 p. 8)', () => {
  for (const vat of ['vat5', 'vat7', 'vat105', 'vat107'] as const) {
    const one = [item({ vat, priceKopecks: 10500, sumKopecks: 10500 })];
    for (const taxSystem of ['osn', 'esn', 'patent'] as const) {
      const problems = problemsOf(() => buildReceipt(receipt(one, { taxSystem }), '1.2'));
      assert.is(problems.length, 1, `${vat} under ${taxSystem}`);
      assert.is(problems[0]?.path, 'items[0].vat');
      assert.match(problems[0]?.message ?? '', /simplified tax system/);
    }
    for (const taxSystem of ['usn_income', 'usn_income_outcome'] as const) assert.ok(buildReceipt(receipt(one, { taxSystem }), '1.2').tlv.length > 0, `${vat} under ${taxSystem}`);
  }
  assert.ok(buildReceipt(receipt([item({ vat: 'vat22', priceKopecks: 12200, sumKopecks: 12200 })], { taxSystem: 'osn' }), '1.2'), '22 % under ОСН');
});

Receipts('the 30-item receipt in FFD 1.05 uses the FFD 1.05 codes only', () => {
  const doc = buildReceipt(thirtyItems('1.05'), '1.05');
  for (const n of itemNodes(doc)) {
    const code = valueIn(n, 1212) as number;
    assert.ok(entryByCode(PAYMENT_OBJECTS, code, '1.05')?.ffd.includes('1.05'), `1212=${code}`);
  }
});

Receipts.run();

// ================================================================ buildCorrectionReceipt

const Corrections = suite('receipt-builder: buildCorrectionReceipt');

Corrections('document type 31, operation type and total; refund corrections (1054 = 2, 4) in FFD 1.2', () => {
  for (const [ffd, operation, sign] of [['1.05', 'sell', 1], ['1.05', 'buy', 3], ['1.2', 'sell', 1], ['1.2', 'sell_refund', 2], ['1.2', 'buy', 3], ['1.2', 'buy_refund', 4]] as const) {
    const doc = buildCorr(correction([item()], 'self', { operation }), ffd);
    assert.is(doc.fdType, FD_TYPE.correctionReceipt);
    assert.is(doc.fdType, 31);
    assert.is(doc.operationType, sign, `${operation} in FFD ${ffd}`);
    assert.is(doc.totalKopecks, 10000);
  }
});

Corrections('FFD 1.05 has no refund corrections: refused at "operation", not formed as something else', () => {
  for (const operation of ['sell_refund', 'buy_refund'] as const) {
    const problems = problemsOf(() => buildCorr(correction([item()], 'self', { operation }), '1.05'));
    assert.equal(paths(problems), ['operation']);
    assert.match(problems[0]!.message, /FFD 1\.2/);
  }
});

Corrections('a basis name (1177) in FFD 1.2 is refused with its path, never dropped', () => {
  const problems = problemsOf(() => buildCorrectionReceipt(correction([item()]), '1.2'));
  assert.equal(paths(problems), ['correction.baseName']);
});

Corrections('FFD 1.2: an empty order number is left out of 1174, not written empty; FFD 1.05 refuses it (1179 is mandatory there)', () => {
  const c = correction([item()]);
  const doc = buildCorr({ ...c, correction: { ...c.correction, baseNumber: '' } }, '1.2');
  assert.not.ok((topValue(doc, 1174) as TlvNode[]).some((n) => n.tag === 1179));
  assert.equal(problemsOf(() => buildCorr({ ...c, correction: { ...c.correction, baseNumber: '' } }, '1.05')), [{ path: 'correction.baseNumber', message: 'an FFD 1.05 correction names its basis document (1179)' }]);
});

Corrections("with its date, the items' rates are judged by the corrected settlement's (1178), which may not come after the correction", () => {
  const may2025 = Date.UTC(2025, 4, 15) / 1000;
  const nov2026 = Date.UTC(2026, 10, 30, 12) / 1000;
  const at22 = (baseDate: number): CorrectionReceipt => ({ ...correction([item({ vat: 'vat22', priceKopecks: 12200, sumKopecks: 12200 })]), correction: { type: 'self', baseDate, baseNumber: '1' } });
  assert.equal(problemsOf(() => buildCorrectionReceipt(at22(may2025), '1.2', nov2026)), [{ path: 'items[0].vat', message: 'НДС 22% (vat22) exists from 01.01.2026; this corrected settlement is dated 15.05.2025' }]);
  assert.ok(buildCorrectionReceipt(at22(Date.UTC(2026, 4, 15) / 1000), '1.2', nov2026).tlv.length > 0);
  assert.equal(problemsOf(() => buildCorrectionReceipt(at22(nov2026 + 86400), '1.2', nov2026)), [{ path: 'correction.baseDate', message: 'the corrected settlement (1178) is dated after the correction receipt itself' }]);
});

Corrections('1173 correction type: 0 own initiative, 1 by order', () => {
  for (const ffd of FFD_VERSIONS) {
    assert.is(topValue(buildCorr(correction([item()], 'self'), ffd), 1173), 0);
    assert.is(topValue(buildCorr(correction([item()], 'instruction'), ffd), 1173), 1);
  }
});

Corrections('1174 basis: 1177 name only in FFD 1.05, then 1178 date and 1179 number', () => {
  assert.equal(topValue(buildCorr(correction([item()]), '1.05'), 1174), [
    { tag: 1177, value: 'Предписание' },
    { tag: 1178, value: 1436418698 },
    { tag: 1179, value: '12-к' },
  ]);
  assert.equal(topValue(buildCorr(correction([item()]), '1.2'), 1174), [
    { tag: 1178, value: 1436418698 },
    { tag: 1179, value: '12-к' },
  ]);
});

Corrections('FFD 1.05 sends totals only (no 1059); FFD 1.2 sends the items', () => {
  const c = correction([item(), item({ sumKopecks: 11000, priceKopecks: 11000, vat: 'vat10' })]);
  const d105 = buildCorr(c, '1.05');
  assert.not.ok(allTags(d105.tlv).includes(1059));
  assert.is(topValue(d105, 1102), 1667);
  assert.is(topValue(d105, 1103), 1000);
  assert.is(topValue(d105, 1081), 21000);
  const d12 = buildCorr(c, '1.2');
  assert.is(itemNodes(d12).length, 2);
  assert.is(topValue(d12, 1102), 1667);
  assert.is(topValue(d12, 1103), 1000);
});

Corrections('never sends an FN-formed tag, and encodes in its FFD', () => {
  for (const ffd of FFD_VERSIONS) {
    const full = fullReceipt();
    const doc = buildCorr({ ...full, correction: { type: 'instruction', baseDate: 1436418698, baseNumber: '1', baseName: 'Акт' } }, ffd);
    const tags = allTags(doc.tlv);
    assert.ok(tags.includes(1178), 'walks into 1174');
    assert.equal(
      tags.filter((t) => isFnFormedTag(t, ffd)),
      [],
      `FFD ${ffd}`,
    );
    assert.equal(decodeTlv(encodeNode({ tag: doc.fdType, value: doc.tlv }, ffd)), [{ tag: 31, value: doc.tlv }]);
  }
});

Corrections('all five payment tags are present in a correction too', () => {
  for (const ffd of FFD_VERSIONS) {
    const doc = buildCorr(correction([item()]), ffd);
    for (const t of [1031, 1081, 1215, 1216, 1217]) assert.ok(topTags(doc).includes(t), `FFD ${ffd} ${t}`);
  }
});

Corrections('problems are listed with their paths, items checked even in FFD 1.05', () => {
  const c = correction([item({ vat: 'vat18' as VatRateId }), item({ paymentObject: 'deposit' })], 'self', { totalKopecks: 1, payments: { cash: 2 } });
  assert.equal(paths(problemsOf(() => buildCorr(c, '1.05'))), ['items[0].vat', 'items[1].payment_object', 'payments', 'total']);
  assert.equal(paths(problemsOf(() => buildCorr(c, '1.2'))), ['items[0].vat', 'payments', 'total']);
});

Corrections('30-item correction round trip', () => {
  for (const ffd of FFD_VERSIONS) {
    const doc = buildCorr({ ...thirtyItems(ffd), correction: { type: 'self', baseDate: 1700000000, baseNumber: '17' } }, ffd);
    assert.equal(decodeTlv(encodeTlv(doc.tlv, ffd)), doc.tlv, `FFD ${ffd}`);
  }
});

Corrections.run();

// ================================================================ FN-formed tags

const FnFormed = suite('fn-formed-tags');

FnFormed('date/time, INN, RNM, FN number, FD/shift/receipt numbers, total, sign, FPD are FN-formed in both FFDs', () => {
  for (const ffd of FFD_VERSIONS) {
    for (const t of [1012, 1018, 1020, 1037, 1038, 1040, 1041, 1042, 1054, 1077, 1209]) assert.ok(isFnFormedTag(t, ffd), `FFD ${ffd} tag ${t}`);
  }
});

FnFormed('content tags are not FN-formed', () => {
  for (const ffd of FFD_VERSIONS) {
    for (const t of [1008, 1009, 1021, 1023, 1030, 1031, 1043, 1055, 1059, 1079, 1081, 1102, 1173, 1174, 1199, 1200, 1212, 1214, 1227]) {
      assert.not.ok(isFnFormedTag(t, ffd), `FFD ${ffd} tag ${t}`);
    }
  }
});

FnFormed('1017 is sent by the register in FFD 1.05, formed by the FN in FFD 1.2', () => {
  assert.not.ok(isFnFormedTag(1017, '1.05'));
  assert.ok(isFnFormedTag(1017, '1.2'));
});

FnFormed('mode flags are FN-formed in FFD 1.05; FFD 1.2 folds them into 1290', () => {
  for (const t of [1109, 1110, 1126, 1193, 1207, 1221]) {
    assert.ok(isFnFormedTag(t, '1.05'), `1.05 ${t}`);
    assert.not.ok(isFnFormedTag(t, '1.2'), `1.2 ${t}`);
  }
  assert.ok(isFnFormedTag(1290, '1.2'));
  assert.not.ok(isFnFormedTag(1290, '1.05'));
});

FnFormed('fnFormedTags returns the same set isFnFormedTag reads', () => {
  for (const ffd of FFD_VERSIONS) {
    const set = fnFormedTags(ffd);
    assert.ok(set.size > 40);
    for (const t of set) assert.ok(isFnFormedTag(t, ffd));
  }
});

FnFormed.run();

// ================================================================ receipt codes

const Codes = suite('receipt-codes');

Codes('calculation sign 1054 and tax-system bits', () => {
  assert.equal(CALCULATION_SIGN, { sell: 1, sell_refund: 2, buy: 3, buy_refund: 4 });
  assert.equal(TAX_SYSTEMS, { osn: 1, usn_income: 2, usn_income_outcome: 4, envd: 8, esn: 16, patent: 32 });
});

Codes('codeFor honours the FFD: FFD 1.2-only objects are missing in 1.05', () => {
  assert.is(codeFor(PAYMENT_OBJECTS, 'commodity', '1.05')?.code, 1);
  assert.is(codeFor(PAYMENT_OBJECTS, 'deposit', '1.05'), undefined);
  assert.is(codeFor(PAYMENT_OBJECTS, 'deposit', '1.2')?.code, 19);
  assert.is(codeFor(PAYMENT_OBJECTS, 'commodity_without_marking', '1.2')?.code, 32);
  assert.is(codeFor(PAYMENT_METHODS, 'full_payment', '1.05')?.code, 4);
  assert.is(codeFor(MEASURES, 'kilogram', '1.2')?.code, 11);
  assert.is(codeFor(MEASURES, 'nope', '1.2'), undefined);
  assert.is(entryByCode(PAYMENT_METHODS, 7)?.id, 'credit_payment');
  assert.is(entryByCode(MEASURES, 255)?.id, 'other');
  assert.is(entryByCode(MEASURES, 254), undefined);
});

Codes('ids are unique in every table, codes unique within each FFD version; codes fit a byte', () => {
  for (const [name, table] of [
    ['PAYMENT_METHODS', PAYMENT_METHODS],
    ['PAYMENT_OBJECTS', PAYMENT_OBJECTS],
    ['MEASURES', MEASURES],
  ] as const) {
    assert.is(new Set(table.map((e) => e.id)).size, table.length, `${name} ids`);
    for (const ffd of FFD_VERSIONS) {
      const mine = table.filter((e) => e.ffd.includes(ffd));
      assert.is(new Set(mine.map((e) => e.code)).size, mine.length, `${name} codes in FFD ${ffd}`);
    }
    for (const e of table) assert.ok(e.code >= 0 && e.code <= 255, `${name} ${e.id}`);
  }
});

Codes('1212 = 12 is «составной предмет расчета» in FFD 1.05 and «выплата» in FFD 1.2; 21–27 exist in FFD 1.2 only', () => {
  assert.is(entryByCode(PAYMENT_OBJECTS, 12, '1.05')?.id, 'composite');
  assert.is(entryByCode(PAYMENT_OBJECTS, 12, '1.2')?.id, 'award');
  assert.is(codeFor(PAYMENT_OBJECTS, 'composite', '1.2'), undefined);
  assert.is(codeFor(PAYMENT_OBJECTS, 'award', '1.05'), undefined);
  for (let code = 21; code <= 27; code++) {
    assert.ok(entryByCode(PAYMENT_OBJECTS, code, '1.2')?.ffd.includes('1.2'), `1212 = ${code} in FFD 1.2`);
    assert.not.ok(entryByCode(PAYMENT_OBJECTS, code)?.ffd.includes('1.05'), `1212 = ${code} not in FFD 1.05`);
  }
});

Codes('2108 measure codes of fiscal-spec §2.3', () => {
  assert.equal(
    MEASURES.map((m) => m.code),
    [0, 10, 11, 12, 20, 21, 22, 30, 31, 32, 40, 41, 42, 50, 51, 70, 71, 72, 73, 80, 81, 82, 83, 255],
  );
});

Codes.run();

const WebSite = suite('receipt-builder: isWebSite (the place of settlement on the internet, 1187)');

WebSite('Latin and Cyrillic host names, with a scheme and a path or without', () => {
  for (const site of ['shop.example.ru', 'https://shop.example.ru/', 'http://магазин.рф/каталог', 'ёлки-палки.рф', ' shop.example.ru ']) assert.ok(isWebSite(site), site);
});

WebSite('not a web site: no dot, a street address, other letters', () => {
  for (const text of ['localhost', 'г. Москва, ул. Льва Толстого, д. 16', 'shop', 'ftp://shop.example.ru', 'shop.example.ru path', 'δ.example.ru']) assert.not.ok(isWebSite(text), text);
});

WebSite.run();
