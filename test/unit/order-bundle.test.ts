/**
 * Sberbank acquiring orderBundle → Receipt (order-bundle.ts, through parseJobPayload; issue 3
 * §1): one electronic payment of Σ itemAmount, taxType and taxSystem code tables, measures
 * by code or label, itemAttributes with their defaults, the buyer, and every problem's path.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import type { Receipt } from '../../firmware/fiscal/receipt.ts';
import { buildReceipt } from '../../firmware/fiscal/receipt-builder.ts';
import type { TlvNode } from '../../firmware/fiscal/tlv-codec.ts';
import type { ParseOutcome, Problem, ValidationContext } from '../../firmware/jobs/job.ts';
import { SBER_TAX_SYSTEMS, sberPhone } from '../../firmware/jobs/order-bundle.ts';
import { parseJobPayload } from '../../firmware/jobs/parse-job.ts';

const CTX: ValidationContext = {
  ffd: '1.2',
  inn: '7707083893',
  address: 'г. Москва, ул. Льва Толстого, д. 16',
  place: 'shop.example.ru',
  taxSystems: ['osn', 'usn_income'],
  seller: {},
  maxPayloadBytes: 64 * 1024,
};

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test data is edited freely

const bundleJob = (): Json => JSON.parse(readFileSync('device-config/samples/sell-orderbundle.json', 'utf8')) as Json;
const ITEMS = 'order_bundle.cartItems.items';

function parse(job: unknown, ctx: ValidationContext = CTX): ParseOutcome {
  return parseJobPayload(new TextEncoder().encode(JSON.stringify(job)), ctx);
}

function receiptOf(job: Json, ctx: ValidationContext = CTX): Receipt {
  const o = parse(job, ctx);
  assert.ok(o.ok, `expected the job to pass: ${o.ok ? '' : JSON.stringify(o.problems, null, 1)}`);
  assert.ok('receipt' in o.job);
  return (o.job as { receipt: Receipt }).receipt;
}

function hasProblem(job: Json, path: string, message?: RegExp, ctx: ValidationContext = CTX): void {
  const o = parse(job, ctx);
  const problems: readonly Problem[] = o.ok ? [] : o.problems;
  const at = problems.filter((p) => p.path === path);
  assert.ok(at.length > 0, `no problem at ${path}; got ${JSON.stringify(problems, null, 1)}`);
  if (message) assert.ok(at.some((p) => message.test(p.message)), `problem at ${path} does not match ${message}: ${JSON.stringify(at)}`);
}

/** The sample with `edit` applied to its order_bundle (and the job). */
function withBundle(edit: (bundle: Json, job: Json) => void): Json {
  const job = bundleJob();
  edit(job['order_bundle'], job);
  return job;
}

/** A bundle of one item with the given fields over a plain default. */
function oneItem(fields: Json): Json {
  return withBundle((b) => {
    b['cartItems']['items'] = [{ positionId: 1, name: 'Товар', quantity: { value: 1 }, itemPrice: 10000, itemAmount: 10000, tax: { taxType: 6 }, ...fields }];
  });
}

// ================================================================ mapping

const Mapping = suite('order-bundle: mapping to the receipt');

Mapping('the sample maps to the expected receipt', () => {
  const r = receiptOf(bundleJob());
  assert.equal(r, {
    operation: 'sell',
    taxSystem: 'osn',
    items: [
      {
        name: 'Футболка хлопковая, размер M',
        priceKopecks: 129900,
        quantity: '2',
        sumKopecks: 259800,
        measure: 'piece',
        vat: 'vat122',
        vatSumKopecks: 46849,
        paymentMethod: 'full_prepayment',
        paymentObject: 'commodity',
      },
      {
        name: 'Кофе в зёрнах, на развес',
        priceKopecks: 180000,
        quantity: '0.5',
        sumKopecks: 90000,
        measure: 'kilogram',
        vat: 'vat10',
        paymentMethod: 'full_payment',
        paymentObject: 'commodity',
      },
      {
        name: 'Доставка курьером',
        priceKopecks: 35000,
        quantity: '1',
        sumKopecks: 35000,
        measure: 'piece',
        vat: 'vat122',
        paymentMethod: 'full_prepayment',
        paymentObject: 'service',
      },
    ],
    payments: { electronic: 384800 },
    totalKopecks: 384800,
    seller: { address: CTX.address, place: 'shop.example.ru', email: 'receipts@shop.example.ru' },
    buyer: { contact: 'buyer@example.ru', name: 'Петров Пётр' },
    internet: true,
  });
});

Mapping('paid by card: one electronic payment of Σ itemAmount', () => {
  const r = receiptOf(withBundle((b) => b['cartItems']['items'].push({ positionId: 9, name: 'Ещё', quantity: { value: 3 }, itemPrice: 333, itemAmount: 999, tax: { taxType: 0 } })));
  assert.equal(r.payments, { electronic: 384800 + 999 });
  assert.is(r.totalKopecks, 384800 + 999);
});

Mapping('taxType table: the Sberbank column of the VAT table, 2025–2026 codes 8–13 included', () => {
  const expected: Record<number, string> = { 0: 'none', 1: 'vat0', 2: 'vat10', 4: 'vat110', 6: 'vat20', 7: 'vat120', 8: 'vat5', 9: 'vat105', 10: 'vat7', 11: 'vat107', 12: 'vat22', 13: 'vat122' };
  for (const [code, vat] of Object.entries(expected)) {
    assert.is(receiptOf(oneItem({ tax: { taxType: Number(code) } })).items[0]?.vat, vat, `taxType ${code}`);
  }
  hasProblem(oneItem({ tax: { taxType: 14 } }), `${ITEMS}[0].tax.taxType`, /taxType 14 is unknown/);
});

Mapping('a Sberbank code is never a 1199 code: taxType 8–13 become 1199 codes 7, 9, 8, 10, 11, 12 in the document', () => {
  const expected: Record<number, number> = { 8: 7, 9: 9, 10: 8, 11: 10, 12: 11, 13: 12, 6: 1, 2: 2 };
  for (const [taxType, code1199] of Object.entries(expected)) {
    // Under the simplified system, whose rates 5 % and 7 % are (НК РФ art. 164 p. 8).
    const doc = buildReceipt({ ...receiptOf(oneItem({ tax: { taxType: Number(taxType) } })), taxSystem: 'usn_income' }, '1.2');
    const item = doc.tlv.find((n) => n.tag === 1059)?.value as TlvNode[];
    assert.is(item.find((n) => n.tag === 1199)?.value, code1199, `taxType ${taxType}`);
  }
});

Mapping('18 % codes 3 and 5 are refused, never remapped, and the message names the codes to use', () => {
  hasProblem(oneItem({ tax: { taxType: 3 } }), `${ITEMS}[0].tax.taxType`, /taxType 3 \(НДС 18%\) is obsolete.*use 6 \(НДС 20%\) or 12 \(НДС 22%\)/);
  hasProblem(oneItem({ tax: { taxType: 5 } }), `${ITEMS}[0].tax.taxType`, /taxType 5 \(НДС 18\/118\) is obsolete.*use 7 \(НДС 20\/120\) or 13 \(НДС 22\/122\)/);
});

Mapping('measure: default piece; a 2108 code, its digits, a label or a common spelling', () => {
  const measure = (m: unknown): string | undefined => receiptOf(oneItem({ quantity: { value: 1, ...(m === undefined ? {} : { measure: m }) } })).items[0]?.measure;
  assert.is(measure(undefined), 'piece');
  assert.is(measure('кг'), 'kilogram');
  assert.is(measure('Кг'), 'kilogram');
  assert.is(measure(11), 'kilogram');
  assert.is(measure('11'), 'kilogram');
  assert.is(measure('штук'), 'piece');
  assert.is(measure('шт.'), 'piece');
  assert.is(measure('л'), 'liter');
  assert.is(measure('kilogram'), 'kilogram');
  hasProblem(oneItem({ quantity: { value: 1, measure: 'бочка' } }), `${ITEMS}[0].quantity.measure`, /"бочка" is unknown; for FFD 1\.2 one of piece \(0, "шт"\)/);
  hasProblem(oneItem({ quantity: { value: 1, measure: 13 } }), `${ITEMS}[0].quantity.measure`, /measure 13 is unknown/);
});

Mapping('itemAttributes: paymentMethod / paymentObject codes; defaults full payment of goods', () => {
  const attrs = (attributes: Json[]): Receipt['items'][number] | undefined => receiptOf(oneItem({ itemAttributes: { attributes } })).items[0];
  assert.equal(receiptOf(oneItem({})).items[0]?.paymentMethod, 'full_payment');
  assert.equal(receiptOf(oneItem({})).items[0]?.paymentObject, 'commodity');
  const item = attrs([{ name: 'paymentMethod', value: '7' }, { name: 'paymentObject', value: 19 }]);
  assert.equal([item?.paymentMethod, item?.paymentObject], ['credit_payment', 'deposit']);
  assert.is(attrs([{ name: 'paymentObject', value: '4' }])?.paymentMethod, 'full_payment', 'a missing attribute keeps its default');
  const at = `${ITEMS}[0].itemAttributes.attributes`;
  hasProblem(oneItem({ itemAttributes: { attributes: [{ name: 'paymentMethod', value: '8' }] } }), `${at}[0].value`, /payment method 8 is unknown/);
  hasProblem(oneItem({ itemAttributes: { attributes: [{ name: 'paymentObject', value: 'товар' }] } }), `${at}[0].value`, /numeric code/);
  hasProblem(oneItem({ itemAttributes: { attributes: [{ name: 'nomenclature', value: '1' }] } }), `${at}[0].name`, /not supported/);
  hasProblem(oneItem({ itemAttributes: { attributes: [{ name: 'paymentMethod', value: '1' }, { name: 'paymentMethod', value: '4' }] } }), `${at}[1].name`, /more than once/);
  // 19 (deposit) does not exist in FFD 1.05.
  hasProblem(oneItem({ itemAttributes: { attributes: [{ name: 'paymentObject', value: '19' }] } }), `${at}[0].value`, /does not exist in FFD 1\.05/, { ...CTX, ffd: '1.05' });
});

Mapping('tax system: order_bundle.taxSystem (Sberbank code) or company.sno, agreeing', () => {
  assert.equal(SBER_TAX_SYSTEMS, ['osn', 'usn_income', 'usn_income_outcome', 'envd', 'esn', 'patent']);
  const usn = withBundle((b, job) => {
    b['taxSystem'] = 1;
    delete job['company']['sno'];
  });
  assert.is(receiptOf(usn).taxSystem, 'usn_income');
  const snoOnly = withBundle((b, job) => {
    delete b['taxSystem'];
    job['company']['sno'] = 'usn_income';
  });
  assert.is(receiptOf(snoOnly).taxSystem, 'usn_income');
  hasProblem(withBundle((b) => (b['taxSystem'] = 1)), 'company.sno', /contradicts order_bundle\.taxSystem 1 \(usn_income\)/);
  hasProblem(withBundle((b, job) => ((b['taxSystem'] = 5), delete job['company']['sno'])), 'order_bundle.taxSystem', /not registered for tax system "patent"/);
  hasProblem(withBundle((b, job) => ((b['taxSystem'] = 6), delete job['company']['sno'])), 'order_bundle.taxSystem', /taxSystem 6 is unknown/);
  hasProblem(withBundle((b, job) => (delete b['taxSystem'], delete job['company']['sno'])), 'company.sno', /tax system is required/);
});

Mapping('buyer: the job\'s client wins; else customerDetails, Sberbank phones normalised', () => {
  const client = receiptOf(withBundle((_b, job) => (job['client'] = { phone: '+79990000000' })));
  assert.equal(client.buyer, { contact: '+79990000000', name: 'Петров Пётр' });
  const phoneOnly = receiptOf(withBundle((b) => (b['customerDetails'] = { phone: '8 (900) 123-45-67' })));
  assert.equal(phoneOnly.buyer, { contact: '+79001234567' });
  assert.is(sberPhone('79001234567'), '+79001234567');
  assert.is(sberPhone('+79001234567'), '+79001234567');
  assert.is(sberPhone('9001234567'), '9001234567', 'ten digits alone are not guessed');
  hasProblem(withBundle((b) => (b['customerDetails'] = { phone: '12345' })), 'order_bundle.customerDetails.phone', /\+7 and 10 digits/);
  hasProblem(withBundle((b) => (b['customerDetails'] = { inn: '7707083894' })), 'order_bundle.customerDetails.inn', /check digits/);
  hasProblem(withBundle((b) => (b['customerDetails'] = { email: 'nobody' })), 'order_bundle.customerDetails.email', /not an e-mail/);
  hasProblem(withBundle((b) => delete b['customerDetails']), 'client', /electronic receipt \(internet: true\) needs a buyer e-mail or phone/);
  const paper = receiptOf(withBundle((b, job) => (delete b['customerDetails'], (job['internet'] = false))));
  assert.is(paper.buyer, undefined);
});

Mapping.run();

// ================================================================ problems

const Problems = suite('order-bundle: problems at their paths');

Problems('itemAmount vs itemPrice × quantity.value: 1 kopeck of rounding', () => {
  receiptOf(oneItem({ quantity: { value: 0.333 }, itemPrice: 3333, itemAmount: 1110 })); // 1109.889
  hasProblem(oneItem({ quantity: { value: 0.333 }, itemPrice: 3333, itemAmount: 1108 }), `${ITEMS}[0].itemAmount`, /1108 is not price × quantity = 1109\.889/);
  hasProblem(oneItem({ quantity: { value: 1.0001 } }), `${ITEMS}[0].quantity.value`, /more than 3 decimals/);
});

Problems('tax.taxSum must be the VAT of itemAmount', () => {
  receiptOf(oneItem({ tax: { taxType: 6, taxSum: 1667 } }));
  hasProblem(oneItem({ tax: { taxType: 6, taxSum: 1700 } }), `${ITEMS}[0].tax.taxSum`, /1700 is not the НДС 20% of 10000, which is 1667/);
  hasProblem(oneItem({ tax: { taxType: 0, taxSum: 1 } }), `${ITEMS}[0].tax.taxSum`);
});

Problems('positionId unique, name in CP866 within 128 bytes, kopecks are integers', () => {
  hasProblem(withBundle((b) => (b['cartItems']['items'][2]['positionId'] = 1)), `${ITEMS}[2].positionId`, /used by an earlier item/);
  hasProblem(oneItem({ name: '🎁 Подарок' }), `${ITEMS}[0].name`, /CP866 cannot carry: "🎁"/);
  hasProblem(oneItem({ name: 'Ж'.repeat(129) }), `${ITEMS}[0].name`, /tag 1030 holds at most 128/);
  hasProblem(oneItem({ itemAmount: 100.5 }), `${ITEMS}[0].itemAmount`, /must be integer/);
  hasProblem(oneItem({ itemCurrency: 840 }), `${ITEMS}[0].itemCurrency`);
  // Issue 11 made `discount` a field; a misspelt discount type is still refused, at its own path.
  hasProblem(oneItem({ discount: { discountType: 'summ', discountValue: 100 } }), `${ITEMS}[0].discount.discountType`, /"summ" is not one of "summa", "percent"/);
});

Problems('the seller: company INN and payment address must match the registration', () => {
  hasProblem(withBundle((_b, job) => (job['company']['inn'] = '7736050003')), 'company.inn', /not the INN this register is registered to/);
  hasProblem(withBundle((_b, job) => (job['company']['payment_address'] = 'x')), 'company.payment_address', /registered settlement address or place/);
  const noCompany = bundleJob();
  delete noCompany['company'];
  hasProblem(noCompany, 'company', /required with order_bundle/);
});

Problems('several problems at once', () => {
  const job = withBundle((b, job) => {
    b['cartItems']['items'][0]['tax'] = { taxType: 99 };
    b['cartItems']['items'][1]['itemAmount'] = 1;
    b['cartItems']['items'][2]['quantity'] = { value: 1, measure: 'бочка' };
    job['company']['inn'] = '7707083894';
  });
  const o = parse(job);
  assert.ok(!o.ok);
  const paths = o.ok ? [] : o.problems.map((p) => p.path);
  assert.equal(new Set(paths), new Set([`${ITEMS}[0].tax.taxType`, `${ITEMS}[1].itemAmount`, `${ITEMS}[2].quantity.measure`, 'company.inn']));
});

Problems.run();
