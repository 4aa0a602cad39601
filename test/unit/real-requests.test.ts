/**
 * Issue 11: requests written from the public Sberbank and ATOL Online documentation
 * (test/fixtures/real/, sources in its README) through the edge of the register, each with
 * the outcome its file expects; the bad ones with their exact complaint. The same files go
 * through mosquitto end to end in test/integration/real-requests.test.ts.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { encode as encodeCbor } from 'cbor-x';
import { discountedPrice } from '../../firmware/jobs/job-amounts.ts';
import { parsePayload, type PayloadOutcome } from '../../firmware/jobs/parse-job.ts';
import { buildReceipt } from '../../firmware/fiscal/receipt-builder.ts';
import { decodeTlv, encodeTlv, findTag, type TlvNode } from '../../firmware/fiscal/tlv-codec.ts';
import { DEMO_JOB_CONTEXT } from '../helpers/job-context.ts';

const CTX = DEMO_JOB_CONTEXT;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test data is edited freely
export interface Fixture {
  readonly job: Json;
  readonly expect: { status: 'done' | 'fail'; code?: string; problems?: { path: string; message: string }[]; problems_at?: string[]; echo?: Json; prices?: number[] };
}
const DIR = 'test/fixtures/real';
const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ name: f, ...(JSON.parse(readFileSync(`${DIR}/${f}`, 'utf8')) as Fixture) }));
const parse = (job: unknown, ctx = CTX): PayloadOutcome => parsePayload(new TextEncoder().encode(JSON.stringify(job)), ctx);
const copy = (j: Json): Json => JSON.parse(JSON.stringify(j)) as Json;

const Real = suite('real requests: each fixture gives the outcome it expects');
Real('there are good and bad fixtures, each named in the README', () => {
  const readme = readFileSync(`${DIR}/README.md`, 'utf8');
  assert.ok(fixtures.filter((f) => f.expect.status === 'done').length >= 5);
  assert.ok(fixtures.filter((f) => f.expect.status === 'fail').length >= 5);
  for (const f of fixtures) assert.ok(readme.includes(f.name), `${f.name} has its source in the README`);
});
for (const f of fixtures) {
  Real(f.name, () => {
    const o = parse(f.job);
    if (f.expect.status === 'done') {
      assert.ok(o.kind === 'job', `${f.name}: ${JSON.stringify(o)}`);
      if (f.expect.echo) assert.equal(o.echo, f.expect.echo);
      if (f.expect.prices) assert.equal('receipt' in o.job ? o.job.receipt.items.map((i) => i.priceKopecks / 100) : [], f.expect.prices);
      return;
    }
    assert.ok(o.kind === 'invalid', `${f.name} is refused`);
    if (f.expect.problems) assert.equal(o.problems, f.expect.problems);
    for (const path of f.expect.problems_at ?? []) assert.ok(o.problems.some((p) => p.path === path), `${path} in ${JSON.stringify(o.problems)}`);
  });
}
Real.run();

const fixture = (name: string): Json => copy(fixtures.find((f) => f.name === name)?.job ?? {});

const Sber = suite('sberbank_request: the whole register.do / refund.do request');
Sber('the register.do request becomes the receipt the order_bundle form makes: discounts, units, contact, seller', () => {
  const o = parse(fixture('sber-register-do.json'));
  assert.ok(o.kind === 'job' && 'receipt' in o.job);
  const r = o.job.receipt;
  assert.is(r.totalKopecks, 246000);
  assert.equal(r.payments, { electronic: 246000 });
  assert.equal(r.items.map((i) => [i.priceKopecks, i.sumKopecks, i.measure, i.paymentObject]), [
    [200000, 200000, 'piece', 'commodity'], // 20 % off 2500.00
    [30000, 30000, 'piece', 'service'], // "усл"
    [16000, 16000, 'piece', 'commodity'], // 40.00 off 200.00
  ]);
  assert.is(r.taxSystem, 'osn');
  assert.is(r.buyer?.contact, 'buyer@example.ru');
  assert.is(r.seller.place, 'shop.example.ru', 'the registration is the seller');
});
Sber('orderBundle as an object or as its JSON text: the same job', () => {
  const obj = fixture('sber-register-do.json');
  const text = copy(obj);
  text['sberbank_request']['orderBundle'] = JSON.stringify(obj['sberbank_request']['orderBundle']);
  const a = parse(obj);
  const b = parse(text);
  assert.ok(a.kind === 'job' && b.kind === 'job');
  assert.equal(a.job, b.job);
  const bad = copy(obj);
  bad['sberbank_request']['orderBundle'] = '{"cartItems": ';
  const o = parse(bad);
  assert.ok(o.kind === 'invalid' && o.problems.some((p) => p.path === 'sberbank_request.orderBundle' && /is a string but not JSON/.test(p.message)));
});
Sber('credentials are refused without their values; unknown parameters are refused; ignored ones pass', () => {
  const job = fixture('sber-register-do.json');
  job['sberbank_request']['token'] = 'secret-token-value';
  job['sberbank_request']['returnUrl'] = 'https://x.example';
  job['sberbank_request']['shopMood'] = 'good';
  const o = parse(job);
  assert.ok(o.kind === 'invalid');
  assert.equal(o.problems.map((p) => p.path), ['sberbank_request.token', 'sberbank_request.shopMood']);
  assert.not.ok(JSON.stringify(o).includes('secret-token-value'), 'the credential is not in the outcome');
});
Sber('taxSystem beside the orderBundle; contradicting the one inside is a problem; several registered systems need one', () => {
  const job = fixture('sber-register-do.json');
  job['sberbank_request']['orderBundle']['taxSystem'] = 1;
  const o = parse(job);
  assert.ok(o.kind === 'invalid' && o.problems.some((p) => p.path === 'sberbank_request.taxSystem' && /contradicts/.test(p.message)));
  delete job['sberbank_request']['orderBundle']['taxSystem'];
  delete job['sberbank_request']['taxSystem'];
  const none = parse(job);
  assert.ok(none.kind === 'invalid' && none.problems.some((p) => p.path === 'sberbank_request.taxSystem' && /several tax systems/.test(p.message)));
  const single = parse(job, { ...CTX, taxSystems: ['usn_income'] });
  assert.ok(single.kind === 'job' && 'receipt' in single.job && single.job.receipt.taxSystem === 'usn_income', 'the only registered system');
});
Sber('refund.do: refundItems make a refund, and only a refund', () => {
  const job = fixture('sber-refund-do.json');
  const o = parse(job);
  assert.ok(o.kind === 'job' && o.job.type === 'sell_refund');
  job['type'] = 'sell';
  const bad = parse(job);
  assert.ok(bad.kind === 'invalid' && bad.problems.some((p) => p.path === 'sberbank_request.refundItems' && /sell_refund or buy_refund/.test(p.message)));
});
Sber('units as integrations write them: "усл", "ед.", "pc", "кг.", FFD 1.2 codes as numbers or digits', () => {
  const job = fixture('sber-register-do.json');
  const items = job['sberbank_request']['orderBundle']['cartItems']['items'] as Json[];
  const units = ['усл', 'pc', '11'];
  items.forEach((it, i) => (it['quantity']['measure'] = units[i]));
  const o = parse(job);
  assert.ok(o.kind === 'job' && 'receipt' in o.job, JSON.stringify(o));
  assert.equal(o.job.receipt.items.map((i) => i.measure), ['piece', 'piece', 'kilogram']);
});
Sber('problems inside the cart carry the paths the cloud wrote', () => {
  const job = fixture('sber-register-do.json');
  job['sberbank_request']['orderBundle']['cartItems']['items'][1]['quantity']['measure'] = 'бочка';
  const o = parse(job);
  assert.ok(o.kind === 'invalid');
  assert.equal(o.problems.map((p) => p.path), ['sberbank_request.orderBundle.cartItems.items[1].quantity.measure']);
});
Sber("register.do's own email and phone are the buyer's contact when customerDetails has none", () => {
  const job = fixture('sber-register-preauth-string-bundle.json');
  const bundle = JSON.parse(job['sberbank_request']['orderBundle'] as string) as Json;
  delete bundle['customerDetails'];
  job['sberbank_request']['orderBundle'] = bundle;
  job['sberbank_request']['phone'] = '8 (900) 000-00-03';
  const o = parse(job);
  assert.ok(o.kind === 'job' && 'receipt' in o.job);
  assert.is(o.job.receipt.buyer?.contact, '+79000000003');
  job['sberbank_request']['phone'] = '12';
  const bad = parse(job);
  assert.ok(bad.kind === 'invalid');
  assert.equal(bad.problems.map((p) => p.path), ['sberbank_request.phone']);
});
Sber('the envelope uuid is echoed, and must be a short string', () => {
  const job = fixture('sber-refund-do.json');
  job['uuid'] = 'u-1';
  const o = parse(job);
  assert.ok(o.kind === 'job');
  assert.equal(o.echo, { uuid: 'u-1' });
  job['uuid'] = 7;
  const bad = parse(job);
  assert.ok(bad.kind === 'invalid' && bad.problems[0]?.path === 'uuid');
});
Sber('the card payment is the cashless detail 1234: the whole sum and the order identifiers, and no invented 1236', () => {
  const o = parse(fixture('sber-register-do.json'));
  assert.ok(o.kind === 'job' && 'receipt' in o.job);
  assert.equal(o.job.receipt.cashless, [{ sumKopecks: 246000, ids: 'orderNumber ORD-2025-0001' }]);
  const doc = buildReceipt(o.job.receipt, '1.2');
  const tlv = decodeTlv(encodeTlv(doc.tlv, '1.2'));
  const entry = (findTag(tlv, 1234)?.value as TlvNode[] | undefined)?.find((n) => n.tag === 1235)?.value as TlvNode[] | undefined;
  assert.equal(entry?.map((n) => [n.tag, n.value]), [[1082, 246000], [1237, 'orderNumber ORD-2025-0001']]);
  // refund.do names Sberbank's own orderId; a job that gives cashless_payments keeps its own.
  const refund = parse(fixture('sber-refund-do.json'));
  assert.ok(refund.kind === 'job' && 'receipt' in refund.job);
  assert.match(refund.job.receipt.cashless?.[0]?.ids ?? '', /^orderId /);
  const own = fixture('sber-register-do.json');
  own['cashless_payments'] = [{ method: 1, id: 'RRN 123456789012' }];
  const mine = parse(own);
  assert.ok(mine.kind === 'job' && 'receipt' in mine.job);
  assert.equal(mine.job.receipt.cashless, [{ sumKopecks: 246000, method: 1, ids: 'RRN 123456789012' }]);
});

Sber.run();

const Atol = suite('atol_request: ATOL Online v4 and v5 request bodies');
Atol('v4: measurement_unit and v4 strings make the receipt; the ids and echoes come from the body', () => {
  const o = parse(fixture('atol-v4-sell.json'));
  assert.ok(o.kind === 'job' && 'receipt' in o.job);
  assert.is(o.job.id, 'real-atol4-1');
  assert.equal(o.job.receipt.items.map((i) => [i.measure, i.paymentObject, i.priceKopecks, i.sumKopecks]), [
    ['kilogram', 'commodity', 12050, 15063],
    ['piece', 'service', 5000, 5000],
  ]);
  assert.equal(o.echo, { external_id: 'real-atol4-1', callback_url: 'https://cloud.example.ru/atol/callback' });
});
Atol('v4 and v5 of one receipt make the same job', () => {
  const v5 = fixture('atol-v5-sell.json');
  const v4 = copy(v5);
  v4['atol_version'] = 4;
  const item = v4['atol_request']['receipt']['items'][0];
  delete item['measure'];
  item['measurement_unit'] = 'шт';
  const a = parse(v5);
  const b = parse(v4);
  assert.ok(a.kind === 'job' && b.kind === 'job');
  assert.equal(a.job, b.job);
});
Atol('atol_version, external_id against the id, v5 fields in v4', () => {
  const job = fixture('atol-v4-sell.json');
  job['atol_version'] = 3;
  const v3 = parse(job);
  assert.ok(v3.kind === 'invalid');
  assert.equal(v3.problems.map((p) => p.path), ['atol_version'], 'a body of an unknown version is not read');
  job['atol_version'] = 4;
  job['id'] = 'another-id';
  job['atol_request']['receipt']['items'][0]['measure'] = 0;
  const o = parse(job);
  assert.ok(o.kind === 'invalid');
  assert.equal(o.problems.map((p) => p.path), ['atol_request.external_id', 'atol_request.receipt.items[0].measure']);
  assert.ok(o.id === 'another-id' && o.type === 'sell', 'the refusal names the job');
});
Atol('a v4 correction (totals only, FFD 1.05) is refused with what to send instead; a v5 one is formed', () => {
  const v4 = {
    version: 1,
    type: 'sell_correction',
    atol_version: 4,
    atol_request: {
      external_id: 'corr-v4',
      timestamp: '01.06.2025 13:00:00',
      correction: {
        company: { sno: 'osn', inn: '7707083893', payment_address: 'shop.example.ru' },
        correction_info: { type: 'self', base_date: '31.05.2025', base_number: '1', base_name: 'Не пробит чек' },
        payments: [{ type: 0, sum: 100 }],
        vats: [{ type: 'vat20', sum: 16.67 }],
      },
    },
  };
  const o = parse(v4);
  assert.ok(o.kind === 'invalid');
  assert.equal(o.problems.map((p) => p.path), ['atol_request.correction.items']);
  const v5 = copy(v4);
  v5['atol_version'] = 5;
  delete v5['atol_request']['correction']['correction_info']['base_name'];
  v5['atol_request']['correction']['items'] = [{ name: 'Выручка 31.05.2025', price: 100, quantity: 1, sum: 100, measure: 0, payment_method: 'full_payment', payment_object: 1, vat: { type: 'vat20' } }];
  v5['atol_request']['correction']['total'] = 100;
  const ok = parse(v5);
  assert.ok(ok.kind === 'job' && ok.job.type === 'sell_correction', JSON.stringify(ok));
});
Atol.run();

/** An ATOL sell job of the demo register's seller, with `receipt` (items, payments, total, …) as given. */
const atolSell = (id: string, receipt: Json): Json => ({
  version: 1,
  id,
  type: 'sell',
  timestamp: '30.11.2026 12:00:00',
  receipt: { client: { email: 'buyer@example.ru' }, company: { email: 'shop@example.ru', sno: 'osn', inn: '7707083893', payment_address: 'shop.example.ru' }, ...receipt },
});

const Discount = suite("ATOL's item rule: sum may differ from price × quantity");
Discount('the price becomes sum / quantity, rounded half up; rounding-only differences keep the price', () => {
  assert.is(discountedPrice(150000, '2', 270000), 135000); // a coupon of 300.00 on two pairs
  assert.is(discountedPrice(9990, '3', 26973), 8991); // 10 % off, exact
  assert.is(discountedPrice(10000, '3', 10000), 3333); // a coupon spread over 3: 33.333… → 33.33
  assert.is(discountedPrice(10000, '3', 20000), 6667); // 66.666… → 66.67
  assert.is(discountedPrice(5, '2', 5), 3); // a half-kopeck price 0.025 → 0.03 (half up)
  assert.is(discountedPrice(3, '2', 5), 3); // 0.03 × 2 = 0.06 is within 1 kopeck of 0.05: kept
  assert.is(discountedPrice(3333, '0.333', 1110), 3333); // plain rounding, no discount
  assert.is(discountedPrice(10000, '0.5', 4000), 8000); // a markup or discount on a weight
  assert.is(discountedPrice(1, '99999.999', 200000), 2); // huge quantity, exact BigInt
});
Discount('a coupon receipt: sums below price × quantity are accepted, the prices become sum / quantity', () => {
  const item = (name: string, price: number, quantity: number, sum: number): Json => ({ name, price, quantity, sum, measure: 0, payment_method: 'full_payment', payment_object: 1, vat: { type: 'vat22' } });
  const o = parse(atolSell('coupon-1', { items: [item('Кружка керамическая', 450, 4, 1440), item('Салфетки бумажные', 12.5, 7, 80.5)], payments: [{ type: 1, sum: 1520.5 }], total: 1520.5 }));
  assert.ok(o.kind === 'job' && 'receipt' in o.job, JSON.stringify(o));
  // 1440 / 4 = 360.00 (a 20 % coupon); 80.50 / 7 = 11.5 rounded half up to 11.50.
  assert.equal(o.job.receipt.items.map((i) => [i.priceKopecks, i.sumKopecks]), [
    [36000, 144000],
    [1150, 8050],
  ]);
  // The cloud is told, item by item, that a discount was applied and which price went on paper.
  assert.equal(o.job.warnings, [
    'receipt.items[0]: sum 1440.00 is not price × quantity (450.00 × 4): taken as a discount or markup, the unit price on the receipt is 360.00',
    'receipt.items[1]: sum 80.50 is not price × quantity (12.50 × 7): taken as a discount or markup, the unit price on the receipt is 11.50',
  ]);
});
Discount('a vats entry within the rounding allowance is taken, and the difference said in a warning', () => {
  const item = (price: number): Json => ({ name: 'Товар', price, quantity: 1, sum: price, measure: 0, payment_method: 'full_payment', payment_object: 1, vat: { type: 'vat22' } });
  const o = parse(atolSell('vats-rounding-1', { items: [item(100.01), item(100.01)], payments: [{ type: 1, sum: 200.02 }], total: 200.02, vats: [{ type: 'vat22', sum: 36.08 }] }));
  assert.ok(o.kind === 'job' && 'receipt' in o.job, JSON.stringify(o));
  // 22/122 of 100.01 is 18.034… → 18.03 per item, 36.06 in all: 36.08 is 2 kopecks off, within 1 per item.
  assert.equal(o.job.warnings, ['receipt.vats[0].sum: 36.08 given, 36.06 on the receipt (the VAT of its items, rounded per item)']);
});
Discount.run();

const Ids = suite('ids: refusals name the job; the digest tells a repeat from another job');
Ids('a CBOR payload with a value JSON cannot carry is refused with its id and type', () => {
  const o = parsePayload(encodeCbor({ version: 1, id: 'cbor-named', type: 'sell', receipt: { when: new Date(0) } }), CTX);
  assert.ok(o.kind === 'invalid' && o.id === 'cbor-named' && o.type === 'sell');
});
Ids('a valid type with bad content: the refusal names both', () => {
  const o = parse({ version: 1, id: 'bad-content', type: 'sell_refund', receipt: { total: 'a lot' } });
  assert.ok(o.kind === 'invalid' && o.id === 'bad-content' && o.type === 'sell_refund');
});
Ids('JSON, CBOR and another key order of one job have one digest; a changed job another', () => {
  const job = fixture('atol-v5-sell.json');
  const a = parse(job);
  const reordered = Object.fromEntries(Object.entries(job).reverse());
  const b = parse(reordered);
  const c = parsePayload(encodeCbor(job), CTX);
  job['atol_request']['receipt']['client']['email'] = 'other@example.ru';
  const d = parse(job);
  assert.ok(a.kind === 'job' && b.kind === 'job' && c.kind === 'job' && d.kind === 'job');
  assert.is(a.digest, b.digest);
  assert.is(a.digest, c.digest);
  assert.is.not(a.digest, d.digest);
});
Ids('a report request: ids listed, checked', () => {
  const o = parse({ version: 1, id: 'ask-1', type: 'report', ids: ['a', 'b'] });
  assert.equal(o, { kind: 'report', id: 'ask-1', ids: ['a', 'b'] });
  const bad = parse({ version: 1, id: 'ask-2', type: 'report', ids: [] });
  assert.ok(bad.kind === 'invalid' && bad.type === 'report' && bad.problems[0]?.path === 'ids');
});
Ids.run();

const Docs = suite('the README of the contract shows the fixtures');
Docs('each request example of firmware/jobs/README.md is its fixture file, and parses', () => {
  const readme = readFileSync('firmware/jobs/README.md', 'utf8');
  const examples = [...readme.matchAll(/<!-- request-example (\S+) -->\s*```json\n([\s\S]*?)```/g)];
  assert.ok(examples.length >= 2);
  for (const [, name, text] of examples) {
    const job = JSON.parse(text ?? '') as Json;
    assert.equal(job, fixture(name ?? ''), `${name} in the README is the fixture`);
    assert.is(parse(job).kind, 'job');
  }
});
Docs.run();
