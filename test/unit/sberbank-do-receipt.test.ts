/**
 * Issue 11 §1: Sberbank's partner fiscalization call doReceipt under `sberbank_do_receipt`
 * (firmware/jobs/sberbank-do-receipt.ts): the mapping to the internal receipt (kopecks,
 * rounding, receipt types, payment types, seller, buyer, agents) and every refusal with its
 * exact path and message.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { parsePayload, type PayloadOutcome } from '../../firmware/jobs/parse-job.ts';
import type { Receipt } from '../../firmware/fiscal/receipt.ts';
import type { Problem, ValidationContext } from '../../firmware/jobs/job.ts';
import { DEMO_JOB_CONTEXT } from '../helpers/job-context.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test data is edited freely
const FIXTURE = (JSON.parse(readFileSync('test/fixtures/real/sber-do-receipt-sell.json', 'utf8')) as { job: Json }).job;
const AT = 'sberbank_do_receipt';
const OB = `${AT}.orderBundle`;

/** The fixture's sell, edited by `change` (which gets the request body). */
function job(change: (req: Json, job: Json) => void = () => {}): Json {
  const j = JSON.parse(JSON.stringify(FIXTURE)) as Json;
  change(j[AT], j);
  return j;
}
const parse = (j: Json, ctx: ValidationContext = DEMO_JOB_CONTEXT): PayloadOutcome => parsePayload(new TextEncoder().encode(JSON.stringify(j)), ctx);
function receiptOf(j: Json, ctx?: ValidationContext): Receipt {
  const o = parse(j, ctx);
  assert.ok(o.kind === 'job' && 'receipt' in o.job, JSON.stringify(o));
  return (o as { job: { receipt: Receipt } }).job.receipt;
}
function problemsOf(j: Json, ctx?: ValidationContext): readonly Problem[] {
  const o = parse(j, ctx);
  assert.ok(o.kind === 'invalid', `refused: ${JSON.stringify(o)}`);
  return (o as { problems: readonly Problem[] }).problems;
}
/** One cart item, one payment of `type`, totals that agree. */
function single(item: Json, payType = 1): (req: Json) => void {
  return (req) => {
    req.orderBundle.cartItems.items = [item];
    req.orderBundle.payments = [{ type: payType, sum: item['itemAmount'] }];
    req.orderBundle.total = item['itemAmount'];
  };
}
const item = (over: Json = {}): Json => ({ positionId: '1', name: 'Товар', quantity: { value: 1, measure: '0' }, itemPrice: 10000, itemAmount: 10000, paymentMethod: 'full_payment', paymentObject: '1', tax: { taxType: 6 }, ...over });

const Map = suite('doReceipt → the internal receipt');
Map('the fixture: kopecks as they are, units by their 2108 digits, payments by type, the seller checked', () => {
  const r = receiptOf(job());
  assert.is(r.operation, 'sell');
  assert.is(r.totalKopecks, 24600);
  assert.equal(r.payments, { prepaid: 10000, electronic: 14600 });
  assert.equal(r.items.map((i) => [i.priceKopecks, i.quantity, i.sumKopecks, i.measure, i.vat, i.paymentMethod, i.paymentObject]), [
    [4700, '1', 4700, 'piece', 'vat10', 'full_payment', 'commodity'],
    [25000, '0.4', 10000, 'kilogram', 'vat110', 'full_payment', 'commodity'],
    [9900, '1', 9900, 'piece', 'vat110', 'full_payment', 'service'],
  ]);
  assert.is(r.taxSystem, 'osn');
  assert.is(r.seller.email, 'receipts@shop.example.ru');
  assert.is(r.buyer?.contact, 'buyer@example.ru', 'the request email is 1008');
  assert.equal(r.cashless, [{ sumKopecks: 14600, ids: 'orderNumber ORD-2025-0101; orderId a67b0ced-c9a4-4cfb-bce3-b9595afaafc1' }], 'the card payment carries the order ids (1237)');
});
Map('rounding: itemAmount is itemPrice × quantity within 1 kopeck, never more', () => {
  // 33.33 × 0.333 = 11.09889: 1110 is within a kopeck, 1108 is not.
  const ok = receiptOf(job(single(item({ itemPrice: 3333, quantity: { value: 0.333, measure: '11' }, itemAmount: 1110 }))));
  assert.equal([ok.items[0]?.priceKopecks, ok.items[0]?.sumKopecks, ok.items[0]?.quantity], [3333, 1110, '0.333']);
  const bad = problemsOf(job(single(item({ itemPrice: 3333, quantity: { value: 0.333, measure: '11' }, itemAmount: 1108 }))));
  assert.equal(bad.map((p) => p.path), [`${OB}.cartItems.items[0].itemAmount`]);
});
Map('each receiptType is its operation; the job type must be the same', () => {
  for (const t of ['sell', 'sell_refund', 'buy', 'buy_refund']) {
    const r = receiptOf(job((req, j) => {
      req.orderBundle.receiptType = t;
      j['type'] = t;
    }));
    assert.is(r.operation, t);
  }
  assert.equal(problemsOf(job((req) => (req.orderBundle.receiptType = 'sell_refund'))), [{ path: `${OB}.receiptType`, message: '"sell_refund" differs from the job type "sell": give the same operation' }]);
  assert.equal(problemsOf(job((req) => (req.orderBundle.receiptType = 'sell_correction'))), [{ path: `${OB}.receiptType`, message: '"sell_correction": doReceipt makes no correction receipt; send a correction job (correction or atol_request)' }]);
  assert.equal(problemsOf(job((req) => (req.orderBundle.receiptType = 'prepayment'))), [{ path: `${OB}.receiptType`, message: '"prepayment" is not a receipt type the register forms: sell, sell_refund, buy, buy_refund' }]);
});
Map('each payment type: 1 cashless 1081, 2 prepaid 1215, 3 credit 1216, 4 counter-provision 1217; no cash', () => {
  const kinds = { 1: 'electronic', 2: 'prepaid', 3: 'credit', 4: 'provision' } as const;
  for (const [type, kind] of Object.entries(kinds)) assert.equal(receiptOf(job(single(item(), Number(type)))).payments, { [kind]: 10000 });
  assert.is(receiptOf(job(single(item(), 2))).cashless, undefined, 'no card payment, no 1234');
  for (const type of [0, 5]) {
    assert.equal(problemsOf(job(single(item(), type))), [{ path: `${OB}.payments[0].type`, message: `${type} is not a Sberbank payment type: 1 electronic, 2 prepaid, 3 credit, 4 provision (Sberbank's fiscal API has no cash payment)` }]);
  }
  const two = receiptOf(job((req) => (req.orderBundle.payments = [{ type: 1, sum: 20000 }, { type: 1, sum: 4600 }])));
  assert.equal(two.payments, { electronic: 24600 }, 'payments of one type add up');
});
Map('total must be the sum of the items and of the payments: both paths and values named', () => {
  assert.equal(problemsOf(job((req) => (req.orderBundle.payments = [{ type: 1, sum: 24000 }]))), [{ path: `${OB}.total`, message: `24600 is not the sum of ${OB}.payments[].sum, 24000 (kopecks)` }]);
  assert.equal(problemsOf(job((req) => (req.orderBundle.total = 25000))), [
    { path: `${OB}.total`, message: `25000 is not the sum of ${OB}.cartItems.items[].itemAmount, 24600 (kopecks)` },
    { path: `${OB}.total`, message: `25000 is not the sum of ${OB}.payments[].sum, 24600 (kopecks)` },
  ]);
  assert.equal(problemsOf(job((req) => (req.orderBundle.total = 246.0 + 0.5))), [{ path: `${OB}.total`, message: 'must be integer, not number 246.5' }]);
});
Map('company: checked against the registration; what it leaves out is the registration', () => {
  assert.equal(problemsOf(job((req) => (req.orderBundle.company.inn = '5027119066'))), [{ path: `${OB}.company.inn`, message: '5027119066 is not the INN this register is registered to (7707083893)' }]);
  assert.equal(problemsOf(job((req) => (req.orderBundle.company.sno = 'patent'))).map((p) => p.path), [`${OB}.company.sno`]);
  const own = receiptOf(job((req) => {
    delete req.orderBundle.company.paymentAddress;
    delete req.orderBundle.company.email;
  }));
  assert.equal([own.seller.place, own.seller.email], ['shop.example.ru', 'receipts@shop.example.ru']);
  const none = job((req) => delete req.orderBundle.company);
  assert.equal(problemsOf(none), [{ path: `${OB}.company.sno`, message: 'is required: the register is registered for several tax systems (osn, usn_income)' }]);
  assert.is(receiptOf(none, { ...DEMO_JOB_CONTEXT, taxSystems: ['usn_income'] }).taxSystem, 'usn_income', 'one registered tax system is the tax system');
  assert.equal(problemsOf(job((_req, j) => (j['company'] = { inn: '7707083893', payment_address: 'shop.example.ru' }))), [{ path: 'company', message: 'the seller of sberbank_do_receipt is its orderBundle.company' }]);
});
Map('ffdVersion must be the register\'s FFD; credentials are refused and never repeated', () => {
  assert.is(receiptOf(job((req) => delete req.orderBundle.ffdVersion)).totalKopecks, 24600, 'ffdVersion may be left out');
  assert.equal(problemsOf(job((req) => (req.orderBundle.ffdVersion = '1.2')), { ...DEMO_JOB_CONTEXT, ffd: '1.05' }), [
    { path: `${OB}.ffdVersion`, message: '"1.2" is not the FFD of this register, 1.05: it forms every document in its registered version; ask for the 1.05 cart' },
  ]);
  const refused = parse(job((req) => Object.assign(req, { userName: 'shop-login', password: 'secret-value-1', token: 'secret-token-2' })));
  assert.ok(refused.kind === 'invalid');
  assert.equal(refused.problems.map((p) => p.path), [`${AT}.userName`, `${AT}.password`, `${AT}.token`]);
  assert.not.match(JSON.stringify(refused), /secret|shop-login/);
});
Map('items: paymentMethod / paymentObject by name or code, measurementUnit, agents, refused fiscal data', () => {
  const named = receiptOf(job(single(item({ paymentMethod: 'advance', paymentObject: 'job', quantity: { value: 2 }, measurementUnit: 'шт', itemAmount: 20000 }))));
  assert.equal([named.items[0]?.paymentMethod, named.items[0]?.paymentObject, named.items[0]?.measure], ['advance', 'job', 'piece']);
  assert.equal(problemsOf(job(single(item({ paymentMethod: 'cash' })))), [{ path: `${OB}.cartItems.items[0].paymentMethod`, message: '"cash" is unknown; one of full_prepayment (1), prepayment (2), advance (3), full_payment (4), partial_payment (5), credit (6), credit_payment (7)' }]);
  assert.equal(problemsOf(job(single(item({ paymentObject: '99' })))).map((p) => p.path), [`${OB}.cartItems.items[0].paymentObject`]);
  assert.equal(problemsOf(job(single(item({ measurementUnit: 'кг' })))), [{ path: `${OB}.cartItems.items[0].measurementUnit`, message: 'give either quantity.measure (FFD 1.2) or measurementUnit (FFD 1.05), not both' }]);
  assert.equal(problemsOf(job(single(item({ quantity: { value: 1 }, measurementUnit: 'ящик' })))).map((p) => p.path), [`${OB}.cartItems.items[0].measurementUnit`]);
  assert.equal(problemsOf(job(single(item({ markCode: { gs1m: 'MDEw' } })))), [{ path: `${OB}.cartItems.items[0].markCode`, message: 'is a marking code (1300–1307), which this register does not form: remove it' }]);
  assert.equal(problemsOf(job((req) => (req.orderBundle.customerDetails = { birthdate: 19900101 }))), [{ path: `${OB}.customerDetails.birthdate`, message: "is the buyer's birth date 1243, which this register does not form: remove it" }]);
  assert.equal(problemsOf(job((req) => (req.orderBundle.additionalCheckProps = 'x'))), [{ path: `${OB}.additionalCheckProps`, message: 'is the additional receipt requisite 1192, which this register does not form: remove it' }]);
  assert.equal(problemsOf(job(single(item({ color: 'red' })))), [{ path: `${OB}.cartItems.items[0].color`, message: 'is not a doReceipt field this register knows' }]);
  const agent = { type: 'attorney', payingAgent: { operation: 'Продажа билета', phones: ['+79000000031'] } };
  const sold = receiptOf(job(single(item({ agentInfo: agent, supplierInfo: { phones: ['+79000000032'], name: 'ООО Театр', inn: '7736050003' } }))));
  assert.equal([sold.items[0]?.agent?.type, sold.items[0]?.supplier?.inn], ['attorney', '7736050003']);
  assert.equal(problemsOf(job(single(item({ agentInfo: agent, supplierInfo: { name: 'ООО Театр' } })))).map((p) => p.path), [`${OB}.cartItems.items[0].supplierInfo.inn`]);
});
Map('the buyer: customerDetails and the request\'s email / phone (1008); ignored fields change nothing', () => {
  const phone = receiptOf(job((req) => {
    delete req.email;
    req.phone = '89000000003';
  }));
  assert.is(phone.buyer?.contact, '+79000000003');
  const details = receiptOf(job((req) => (req.orderBundle.customerDetails = { email: 'other@example.ru', fullName: 'Петров Пётр', deliveryInfo: { city: 'Москва' } })));
  assert.equal([details.buyer?.contact, details.buyer?.name], ['other@example.ru', 'Петров Пётр'], 'customerDetails wins over the request email');
  const plain = receiptOf(job());
  const ignored = receiptOf(job((req) => Object.assign(req, { receiptId: 'r-1' }) && Object.assign(req.orderBundle, { installments: { productType: 'CREDIT' }, ismOptional: true, orderCreationDate: '2025-06-01T12:30:00' })));
  assert.equal(ignored, plain);
});
Map.run();
