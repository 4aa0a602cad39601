/**
 * The job contract at the edge (parse-job.ts; issue 3 §1–2): the sample jobs parse, JSON and
 * CBOR give the same job, every rule reports a problem at the path of the field, several
 * problems come at once, and no input makes the parser throw.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { encode as encodeCbor } from 'cbor-x';
import { MEASURES, PAYMENT_METHODS, PAYMENT_OBJECTS } from '../../firmware/fiscal/receipt-codes.ts';
import { buildCorrectionReceipt, buildReceipt } from '../../firmware/fiscal/receipt-builder.ts';
import { VAT_RATES } from '../../firmware/fiscal/vat-rates.ts';
import { JOB_TYPES, type Job, type ParseOutcome, type Problem, type ValidationContext } from '../../firmware/jobs/job.ts';
import { checkItemSum, exactQuantity, rublesToKopecks } from '../../firmware/jobs/job-amounts.ts';
import { JOB_SCHEMA, readablePath } from '../../firmware/jobs/job-schema.ts';
import { MAX_PROBLEMS, parseJobPayload } from '../../firmware/jobs/parse-job.ts';
import { DEMO_JOB_CONTEXT } from '../helpers/job-context.ts';
import { mulberry32 } from '../helpers/seeded-random.ts';

// ================================================================ helpers

const CTX: ValidationContext = { ...DEMO_JOB_CONTEXT, defaultCashier: { name: 'Старший кассир', inn: '500100732259' } };

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test data is edited freely

const sample = (name: string): Json => JSON.parse(readFileSync(`device-config/samples/${name}`, 'utf8')) as Json;
const sell = (): Json => sample('sell-atol.json');
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

function parse(job: unknown, ctx: ValidationContext = CTX): ParseOutcome {
  return parseJobPayload(utf8(JSON.stringify(job)), ctx);
}

function parsed(job: unknown, ctx: ValidationContext = CTX): Job {
  const o = parse(job, ctx);
  assert.ok(o.ok, `expected the job to pass: ${o.ok ? '' : JSON.stringify(o.problems, null, 1)}`);
  return o.job;
}

function problemsOf(job: unknown, ctx: ValidationContext = CTX): readonly Problem[] {
  const o = parse(job, ctx);
  assert.not.ok(o.ok, 'expected problems');
  return o.ok ? [] : o.problems;
}

/** Asserts a problem at exactly `path`, whose message matches `message` when given. */
function hasProblem(problems: readonly Problem[], path: string, message?: RegExp): void {
  const at = problems.filter((p) => p.path === path);
  assert.ok(at.length > 0, `no problem at ${path}; got ${JSON.stringify(problems, null, 1)}`);
  if (message) assert.ok(at.some((p) => message.test(p.message)), `problem at ${path} does not match ${message}: ${JSON.stringify(at)}`);
}

function receiptOf(job: Job): NonNullable<Extract<Job, { receipt: unknown }>['receipt']> {
  assert.ok('receipt' in job, 'a receipt job');
  return (job as Extract<Job, { receipt: unknown }>).receipt;
}

/** Parses and asserts the parser answered by itself, not through its last-resort catch. */
function survives(bytes: Uint8Array, ctx: ValidationContext): ParseOutcome {
  const o = parseJobPayload(bytes, ctx);
  assert.ok(o.ok || !o.problems.some((p) => /could not read this job/.test(p.message)), `internal error: ${JSON.stringify(o)}`);
  return o;
}

// ================================================================ samples

const Samples = suite('parse-job: the sample jobs');

Samples('sell-atol.json: cash + card, two VAT rates, money in integer kopecks', () => {
  const job = parsed(sell());
  assert.is(job.type, 'sell');
  assert.is(job.id, 'demo-sell-0001');
  const r = receiptOf(job);
  assert.is(r.operation, 'sell');
  assert.is(r.taxSystem, 'osn');
  assert.is(r.totalKopecks, 98580);
  assert.equal(r.payments, { cash: 30000, electronic: 68580 });
  assert.equal(r.items[1], {
    name: 'Сыр Российский, весовой',
    priceKopecks: 72000,
    quantity: '0.35',
    sumKopecks: 25200,
    measure: 'kilogram',
    vat: 'vat10',
    vatSumKopecks: 2291,
    paymentMethod: 'full_payment',
    paymentObject: 'commodity',
  });
  assert.equal(new Set(r.items.map((i) => i.vat)), new Set(['vat10', 'vat22']));
  assert.equal(r.cashier, { name: 'Иванова Мария', inn: '500100732259' });
  assert.equal(r.buyer, { contact: 'buyer@example.ru' });
  assert.equal(r.seller, { name: 'ООО "Ромашка"', address: CTX.address, place: 'shop.example.ru', email: 'receipts@shop.example.ru', fnsSite: 'www.nalog.gov.ru' });
});

Samples('refund-atol.json is a sell_refund; sell-orderbundle.json a card-paid sell', () => {
  const refund = parsed(sample('refund-atol.json'));
  assert.is(refund.type, 'sell_refund');
  assert.is(receiptOf(refund).operation, 'sell_refund');
  const ob = parsed(sample('sell-orderbundle.json'));
  assert.is(ob.type, 'sell');
  assert.equal(receiptOf(ob).payments, { electronic: 384800 });
});

Samples('the samples pass with the exact context of the brief (no seller details, no default cashier)', () => {
  const bare: ValidationContext = { ffd: '1.2', inn: '7707083893', address: CTX.address, place: 'shop.example.ru', taxSystems: ['osn', 'usn_income'], seller: {}, maxPayloadBytes: 65536 };
  for (const f of ['sell-atol.json', 'refund-atol.json', 'sell-orderbundle.json']) parsed(sample(f), bare);
});

Samples('the parsed samples build into FFD documents (receipt-builder accepts them)', () => {
  for (const f of ['sell-atol.json', 'refund-atol.json', 'sell-orderbundle.json']) {
    for (const ffd of ['1.05', '1.2'] as const) {
      const doc = buildReceipt(receiptOf(parsed(sample(f), { ...CTX, ffd })), ffd);
      assert.ok(doc.tlv.length > 0, f);
    }
  }
});

Samples('CBOR of the same object parses to the same job', () => {
  for (const f of ['sell-atol.json', 'refund-atol.json', 'sell-orderbundle.json']) {
    const fromJson = parseJobPayload(utf8(JSON.stringify(sample(f))), CTX);
    const fromCbor = parseJobPayload(encodeCbor(sample(f)), CTX);
    assert.ok(fromCbor.ok, f);
    assert.equal(fromCbor, fromJson, f);
  }
});

Samples('JSON with a BOM and leading whitespace is JSON', () => {
  const text = `\uFEFF \n\t${JSON.stringify(sell())}`;
  assert.ok(parseJobPayload(utf8(text), CTX).ok);
});

Samples('service jobs: cashier from the job, else the default cashier', () => {
  assert.equal(parsed({ version: 1, id: 'svc-1', type: 'open_shift', cashier: 'Петров', cashier_inn: '500100732259' }), {
    id: 'svc-1',
    type: 'open_shift',
    cashier: { name: 'Петров', inn: '500100732259' },
  });
  assert.equal(parsed({ version: 1, id: 'svc-2', type: 'x_report' }), { id: 'svc-2', type: 'x_report', cashier: CTX.defaultCashier });
  for (const type of ['close_shift', 'state_report']) assert.is(parsed({ version: 1, id: 'svc-3', type }).type, type);
});

Samples('a correction: 1173 type, 1178 date as register-local seconds, 1179 number', () => {
  const job = parsed({ version: 1, id: 'corr-1', type: 'sell_correction', correction: { ...sell().receipt, correction_info: { type: 'instruction', base_date: '15.05.2026', base_number: '№ 42' } } });
  assert.is(job.type, 'sell_correction');
  const c = (job as Extract<Job, { correction: unknown }>).correction;
  assert.equal(c.correction, { type: 'instruction', baseDate: Date.UTC(2026, 4, 15) / 1000, baseNumber: '№ 42' });
  assert.is(c.operation, 'sell');
  assert.ok(buildCorrectionReceipt(c, '1.2').tlv.length > 0);
  const buy = parsed({ version: 1, id: 'corr-2', type: 'buy_correction', correction: { ...sell().receipt, correction_info: { type: 'self', base_date: '01.01.2026' } } });
  assert.is((buy as Extract<Job, { correction: unknown }>).correction.operation, 'buy');
});

Samples.run();

// ================================================================ README

const Docs = suite('parse-job: the README of the contract');
const README = readFileSync('firmware/jobs/README.md', 'utf8');
const examples = [...README.matchAll(/<!-- job-example -->\s*```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1] ?? '') as Json);

Docs('its three job examples (receipt, correction, orderBundle) pass validation', () => {
  assert.equal(examples.map((e) => e['type']), ['sell', 'sell_correction', 'sell']);
  for (const e of examples) parsed(e);
});

Docs('the sample files are the README examples', () => {
  assert.equal(sell(), examples[0]);
  assert.equal(sample('sell-orderbundle.json'), examples[2]);
});

Docs('every code id of the tables is documented', () => {
  for (const id of [...VAT_RATES, ...MEASURES, ...PAYMENT_METHODS, ...PAYMENT_OBJECTS].map((e) => e.id)) assert.ok(README.includes(`\`${id}\``), id);
});

Docs.run();

// ================================================================ bytes

const Bytes = suite('parse-job: payload bytes');

Bytes('a 1 MB payload is refused at path "" without being parsed', () => {
  const big = utf8(JSON.stringify({ ...sell(), padding: 'x'.repeat(1024 * 1024) }));
  const o = parseJobPayload(big, CTX);
  assert.equal(o, { ok: false, id: undefined, problems: [{ path: '', message: `the payload is ${big.length} bytes, more than the ${CTX.maxPayloadBytes} this register accepts` }] });
  const garbage = new Uint8Array(1024 * 1024).fill(0xff);
  const g = parseJobPayload(garbage, CTX);
  assert.ok(!g.ok && g.problems.length === 1 && /more than the 65536/.test(g.problems[0]?.message ?? ''), 'size is checked before decoding');
});

Bytes('bad JSON, bad CBOR, empty, non-UTF-8: one clear problem at path ""', () => {
  const cases: [Uint8Array, RegExp][] = [
    [utf8('{"id": "x", "type": "sell", '), /not valid JSON/],
    [Uint8Array.of(0xa2, 0x62, 0x69, 0x64, 0xff, 0x00), /nor valid CBOR/],
    [new Uint8Array(0), /empty/],
    [Uint8Array.of(0x7b, 0xff, 0xfe, 0x7d), /not valid UTF-8/],
    [utf8('[1, 2]'), /neither a JSON object/],
  ];
  for (const [bytes, message] of cases) {
    const o = parseJobPayload(bytes, CTX);
    assert.not.ok(o.ok);
    if (!o.ok) {
      assert.is(o.id, undefined);
      assert.is(o.problems.length, 1);
      hasProblem(o.problems, '', message);
    }
  }
});

Bytes('CBOR values JSON cannot carry are refused with their paths', () => {
  const job = sell();
  job['timestamp'] = new Date(0);
  job['receipt']['items'][0]['name'] = Uint8Array.of(1, 2);
  job['receipt']['total'] = 2n ** 70n;
  job['receipt']['items'][1]['price'] = NaN;
  const o = parseJobPayload(encodeCbor(job), CTX);
  assert.not.ok(o.ok);
  if (o.ok) return;
  hasProblem(o.problems, 'timestamp', /date/);
  hasProblem(o.problems, 'receipt.items[0].name', /byte string/);
  hasProblem(o.problems, 'receipt.total', /2\^53/);
  hasProblem(o.problems, 'receipt.items[1].price', /NaN/);
});

Bytes('never throws: random bytes, CBOR of random values, deep nesting, huge arrays', () => {
  const rnd = mulberry32(54);
  const roomy: ValidationContext = { ...CTX, maxPayloadBytes: 8 * 1024 * 1024 };
  for (let n = 0; n < 500; n++) {
    const bytes = Uint8Array.from({ length: 1 + Math.floor(rnd() * 200) }, () => Math.floor(rnd() * 256));
    if (n % 3 === 0) bytes[0] = 0x7b; // also exercise the JSON path
    assert.not.ok(survives(bytes, roomy).ok);
  }
  const deepJson = `{"version":1,"id":"deep","type":"sell","receipt":${'['.repeat(200000)}${']'.repeat(200000)}}`;
  assert.not.ok(survives(utf8(deepJson), roomy).ok);
  // CBOR nested 100 000 arrays deep (built by hand: cbor-x's encoder itself would overflow).
  const deepCbor = new Uint8Array([0xa1, 0x67, ...utf8('receipt'), ...new Uint8Array(100000).fill(0x81), 0x00]);
  assert.not.ok(survives(deepCbor, roomy).ok);
  let deep: unknown = 1;
  for (let i = 0; i < 40; i++) deep = { a: deep };
  const d = survives(encodeCbor({ version: 1, id: 'deep', type: 'sell', receipt: deep }), roomy);
  assert.ok(!d.ok && d.problems.some((p) => /nested deeper than/.test(p.message)), 'deep CBOR maps are refused by depth');
  const hugeItems = { ...sell(), receipt: { ...sell().receipt, items: Array.from({ length: 20000 }, () => ({ name: 7 })) } };
  const o = survives(utf8(JSON.stringify(hugeItems)), roomy);
  assert.ok(!o.ok && o.problems.length === MAX_PROBLEMS, 'problems are capped');
  assert.ok(!o.ok && /more problems$/.test(o.problems[MAX_PROBLEMS - 1]?.message ?? ''), 'the cap says how many were left out');
});

Bytes('never throws: the sample with random fields replaced by random values', () => {
  const rnd = mulberry32(7);
  const values: unknown[] = [null, true, -1, 0, 1.005, 1e300, '', 'x'.repeat(300), [], {}, [1], { a: 1 }, 'vat5', 99];
  for (let n = 0; n < 400; n++) {
    const job = n % 2 ? sell() : sample('sell-orderbundle.json');
    // Walk to a random container and replace one of its members.
    let at: any = job; // eslint-disable-line @typescript-eslint/no-explicit-any
    for (let depth = 0; depth < 6; depth++) {
      const keys = Object.keys(at);
      const key = keys[Math.floor(rnd() * keys.length)];
      if (key === undefined) break;
      if (typeof at[key] === 'object' && at[key] !== null && rnd() < 0.7) at = at[key];
      else {
        at[key] = values[Math.floor(rnd() * values.length)];
        break;
      }
    }
    survives(utf8(JSON.stringify(job)), CTX);
    survives(encodeCbor(job), CTX);
  }
});

Bytes.run();

// ================================================================ shape

const Shape = suite('parse-job: shape (schema) problems');

Shape('ajv pointers read like the field: receipt.items[2].price', () => {
  assert.is(readablePath(''), '');
  assert.is(readablePath('/receipt/items/2/price'), 'receipt.items[2].price');
  assert.is(readablePath('/order_bundle/cartItems/items/0/quantity/value'), 'order_bundle.cartItems.items[0].quantity.value');
  assert.is(readablePath('/a~1b/~0c'), 'a/b.~c');
});

Shape('the schema names exactly the job types of job.ts', () => {
  assert.equal((JOB_SCHEMA.properties.type as { enum: string[] }).enum, [...JOB_TYPES]);
});

Shape('wrong types: the path of each field, the id still named', () => {
  const job = sell();
  job['receipt']['total'] = 'a lot';
  job['receipt']['items'][2]['quantity'] = '1';
  job['internet'] = 'yes';
  const o = parse(job);
  assert.ok(!o.ok && o.id === 'demo-sell-0001');
  const problems = o.ok ? [] : o.problems;
  hasProblem(problems, 'receipt.total', /must be number, not string/);
  hasProblem(problems, 'receipt.items[2].quantity', /must be number/);
  hasProblem(problems, 'internet', /must be boolean/);
});

Shape('unknown job type → type; missing id → id, and no id in the outcome', () => {
  hasProblem(problemsOf({ ...sell(), type: 'sell_everything' }), 'type', /"sell_everything" is not one of/);
  const noId = sell();
  delete noId['id'];
  const o = parse(noId);
  assert.ok(!o.ok && o.id === undefined);
  hasProblem(o.ok ? [] : o.problems, 'id', /is required/);
  hasProblem(problemsOf({ ...sell(), id: 'x'.repeat(65) }), 'id');
  hasProblem(problemsOf({ ...sell(), id: 'a\nb' }), 'id', /without control characters/);
  // An unpaired surrogate (sent as a JSON escape) would turn into U+FFFD in the journal: refused, and the refusal names no id.
  const lone = parse({ ...sell(), id: JSON.parse('"order-\\ud800"') as string });
  assert.ok(!lone.ok && lone.id === undefined, 'no id taken from it');
  hasProblem(lone.ok ? [] : lone.problems, 'id', /unpaired surrogates/);
  assert.ok(parse({ ...sell(), id: 'чек-🧾-1' }).ok, 'a well-formed astral character is an id like any other');
  // 64 characters as the schema counts them (code points): 40 emoji are 80 UTF-16 units, still an id a refusal names.
  const emoji = '🧾'.repeat(40);
  assert.ok(parse({ ...sell(), id: emoji }).ok);
  const refused = parse({ ...sell(), id: emoji, version: 2 });
  assert.ok(!refused.ok && refused.id === emoji, 'the refusal carries the id');
  hasProblem(problemsOf({ ...sell(), id: '🧾'.repeat(65) }), 'id');
});

Shape('version, unknown fields, a non-object payload', () => {
  hasProblem(problemsOf({ ...sell(), version: 2 }), 'version', /must be 1/);
  const job = sell();
  job['receipt']['items'][0]['mark_code'] = 'x';
  job['extra'] = 1;
  const problems = problemsOf(job);
  hasProblem(problems, 'receipt.items[0].mark_code', /not a field/);
  hasProblem(problems, 'extra', /not a field/);
  hasProblem(problemsOf('just a string'), '', /JSON object/);
});

Shape('missing required fields: each at its own path', () => {
  const job = sell();
  delete job['receipt']['items'][0]['vat'];
  delete job['receipt']['company']['inn'];
  job['receipt']['payments'] = [];
  const problems = problemsOf(job);
  hasProblem(problems, 'receipt.items[0].vat', /is required/);
  hasProblem(problems, 'receipt.company.inn', /is required/);
  hasProblem(problems, 'receipt.payments', /fewer than 1/);
});

Shape('which body goes with which type', () => {
  const receipt = sell()['receipt'];
  const ob = sample('sell-orderbundle.json');
  hasProblem(problemsOf({ version: 1, id: 'b1', type: 'sell' }), 'receipt', /needs receipt or order_bundle/);
  hasProblem(problemsOf({ ...ob, receipt }), 'order_bundle', /either receipt or order_bundle/);
  hasProblem(problemsOf({ version: 1, id: 'b3', type: 'open_shift', receipt }), 'receipt', /carries no receipt/);
  hasProblem(problemsOf({ version: 1, id: 'b4', type: 'close_shift', internet: true }), 'internet');
  // fd goes only with print_copy, and is said beside every other problem of the stage.
  const both = problemsOf({ version: 1, id: 'b4', type: 'close_shift', fd: 5, internet: true });
  hasProblem(both, 'fd', /goes only with print_copy/);
  hasProblem(both, 'internet');
  hasProblem(problemsOf({ ...sell(), fd: 3 }), 'fd', /a job of type sell takes none/);
  hasProblem(problemsOf({ version: 1, id: 'b6', type: 'x_report', fd: 5 }), 'fd');
  assert.is(parsed({ version: 1, id: 'b7', type: 'print_copy', fd: 3 }).type, 'print_copy');
  hasProblem(problemsOf({ version: 1, id: 'b5', type: 'sell_correction', receipt }), 'receipt', /carries correction/);
  hasProblem(problemsOf({ ...sell(), company: ob['company'] }), 'company', /only with order_bundle/);
  const noCompany = { ...ob };
  delete noCompany['company'];
  hasProblem(problemsOf(noCompany), 'company', /required with order_bundle/);
});

Shape.run();

// ================================================================ money

const Money = suite('parse-job: money and quantities, exactly');

Money('rubles → kopecks through decimal digits: no floating-point error', () => {
  const cases: [number, number][] = [
    [100.57, 10057],
    [0.29, 29], // 0.29 * 100 = 28.999999999999996 in floating point
    [1.15, 115], // 114.99999999999999
    [4.35, 435], // 434.99999999999994
    [19.99, 1999],
    [0, 0],
    [0.07, 7],
    [42949672.95, 4294967295],
  ];
  for (const [rubles, kopecks] of cases) assert.equal(rublesToKopecks(rubles), { ok: true, value: kopecks }, String(rubles));
});

Money('more than 2 decimals, 0.1 + 0.2, exponents and negatives are refused', () => {
  for (const bad of [1.005, 0.1 + 0.2, 1e21, 1e-7, -1, NaN, Infinity]) assert.not.ok(rublesToKopecks(bad).ok, String(bad));
  hasProblem(problemsOf(((j) => ((j['receipt']['items'][3]['price'] = 1.005), j))(sell())), 'receipt.items[3].price', /more than 2 decimals/);
  hasProblem(problemsOf(((j) => ((j['receipt']['payments'][0]['sum'] = 0.1 + 0.2), j))(sell())), 'receipt.payments[0].sum', /0\.30000000000000004/);
});

Money('quantities: exact decimal strings, at most 3 decimals, more than 0', () => {
  assert.equal(exactQuantity(0.35), { ok: true, value: '0.35' });
  assert.equal(exactQuantity(2), { ok: true, value: '2' });
  assert.equal(exactQuantity(0.001), { ok: true, value: '0.001' });
  assert.not.ok(exactQuantity(1.0005).ok);
  assert.not.ok(exactQuantity(0).ok);
  hasProblem(problemsOf(((j) => ((j['receipt']['items'][0]['quantity'] = 1.0005), j))(sell())), 'receipt.items[0].quantity', /more than 3 decimals/);
});

Money('sum vs price × quantity: exact product, 1 kopeck of rounding allowed', () => {
  const check = (price: number, qty: string, sum: number): boolean => {
    const problems: Problem[] = [];
    checkItemSum(price, qty, sum, 'x', problems, 'rubles');
    return problems.length === 0;
  };
  // 33.33 × 0.333 = 11.09889
  assert.ok(check(3333, '0.333', 1110));
  assert.ok(check(3333, '0.333', 1109));
  assert.not.ok(check(3333, '0.333', 1108));
  assert.not.ok(check(3333, '0.333', 1111));
  assert.ok(check(4294967295, '99999.999', 429496725205033)); // huge but exact with BigInt
  const job = sell();
  job['receipt']['items'][0]['sum'] = 179.81; // within 1 kopeck: accepted...
  job['receipt']['total'] = 985.81;
  job['receipt']['payments'][0]['sum'] = 300.01;
  job['receipt']['vats'] = undefined;
  parsed(job);
  // 2 kopecks off is refused where the form has no discount: a Sberbank item (issue 11 moved
  // this assertion here; an ATOL item's sum may differ, ATOL's discount rule, job-amounts.ts).
  const ob = sample('sell-orderbundle.json');
  ob['order_bundle']['cartItems']['items'][0]['itemAmount'] += 2;
  hasProblem(problemsOf(ob), 'order_bundle.cartItems.items[0].itemAmount', /is not price × quantity = 2598/);
  job['receipt']['items'][0]['sum'] = 179.82; // ATOL: a markup of 2 kopecks, spread over the units
  job['receipt']['total'] = 985.82;
  job['receipt']['payments'][0]['sum'] = 300.02;
  assert.is(receiptOf(parsed(job)).items[0]?.priceKopecks, 8991);
});

Money.run();

// ================================================================ rules

const Rules = suite('parse-job: every rule, at the path of its field');

/** The sell sample with `edit` applied. */
function sellWith(edit: (receipt: Json, job: Json) => void): Json {
  const job = sell();
  edit(job['receipt'], job);
  return job;
}

Rules('Σ items must equal total; Σ payments must equal total', () => {
  hasProblem(problemsOf(sellWith((r) => (r['total'] = 985.7))), 'receipt.total', /985\.70 is not the sum of the items, 985\.80/);
  hasProblem(problemsOf(sellWith((r) => (r['payments'][1]['sum'] = 685.7))), 'receipt.payments', /payments add up to 985\.70, the total is 985\.80/);
});

Rules('several payments of one type add up to one total', () => {
  const r = receiptOf(parsed(sellWith((r) => (r['payments'] = [{ type: 0, sum: 100 }, { type: 0, sum: 200 }, { type: 1, sum: 685.8 }]))));
  assert.equal(r.payments, { cash: 30000, electronic: 68580 });
});

Rules('vats: each listed rate must be the VAT of its items (±1 kopeck per item)', () => {
  parsed(sellWith((r) => (r['vats'][1]['sum'] = 99.92))); // two vat22 items: ±0.02
  hasProblem(problemsOf(sellWith((r) => (r['vats'][1]['sum'] = 99.93))), 'receipt.vats[1].sum', /carry 99\.90 of VAT/);
  hasProblem(problemsOf(sellWith((r) => r['vats'].push({ type: 'vat110', sum: 1 }))), 'receipt.vats[2].sum', /no item is at vat110/);
  hasProblem(problemsOf(sellWith((r) => r['vats'].push({ type: 'vat10', sum: 39.26 }))), 'receipt.vats[2].type', /more than once/);
  parsed(sellWith((r) => (r['vats'] = [{ type: 'vat22', sum: 99.9 }])), CTX); // rates left out are fine
});

Rules('an item vat.sum must be the VAT of its sum (±1 kopeck); 0 for no VAT', () => {
  hasProblem(problemsOf(sellWith((r) => (r['items'][2]['vat']['sum'] = 99.02))), 'receipt.items[2].vat.sum', /НДС 22% of 549\.00, which is 99\.00/);
  parsed(sellWith((r) => (r['items'][2]['vat']['sum'] = 99.01)));
  const none = sellWith((r) => {
    r['items'][3]['vat'] = { type: 'none', sum: 0.01 };
    r['vats'] = undefined;
  });
  hasProblem(problemsOf(none), 'receipt.items[3].vat.sum', /БЕЗ НДС/);
});

Rules('INN check digits: company, cashier (a person: 12 digits), client', () => {
  hasProblem(problemsOf(sellWith((r) => (r['company']['inn'] = '7707083894'))), 'receipt.company.inn', /check digits/);
  hasProblem(problemsOf(sellWith((r) => (r['cashier_inn'] = '500100732258'))), 'receipt.cashier_inn', /check digits/);
  hasProblem(problemsOf(sellWith((r) => (r['cashier_inn'] = '7707083893'))), 'receipt.cashier_inn', /12 digits/);
  hasProblem(problemsOf(sellWith((r) => (r['client']['inn'] = '123456789012'))), 'receipt.client.inn', /check digits/);
  hasProblem(problemsOf({ version: 1, id: 's', type: 'open_shift', cashier: 'К', cashier_inn: '500100732258' }), 'cashier_inn', /check digits/);
});

Rules('the registration: company INN, payment address (address or place), tax system', () => {
  hasProblem(problemsOf(sellWith((r) => (r['company']['inn'] = '7736050003'))), 'receipt.company.inn', /not the INN this register is registered to \(7707083893\)/);
  hasProblem(problemsOf(sellWith((r) => (r['company']['payment_address'] = 'other.example.ru'))), 'receipt.company.payment_address', /registered settlement address or place/);
  parsed(sellWith((r) => (r['company']['payment_address'] = CTX.address)));
  hasProblem(problemsOf(sellWith((r) => (r['company']['sno'] = 'patent'))), 'receipt.company.sno', /not registered for tax system "patent"/);
  hasProblem(problemsOf(sellWith((r) => (r['company']['sno'] = 'simple'))), 'receipt.company.sno', /unknown/);
  assert.is(receiptOf(parsed(sellWith((r) => (r['company']['sno'] = 'usn_income')))).taxSystem, 'usn_income');
});

Rules('VAT codes: the twelve rates of 2026 by their ATOL names; unknown names refused', () => {
  for (const rate of VAT_RATES) {
    const job = sellWith((r, j) => {
      r['items'][0]['vat'] = { type: rate.id };
      delete r['vats'];
      j['timestamp'] = '30.11.2026 12:00:00';
    });
    assert.is(receiptOf(parsed(job)).items[0]?.vat, rate.id, rate.id);
  }
  hasProblem(problemsOf(sellWith((r) => (r['items'][0]['vat']['type'] = 'vat18'))), 'receipt.items[0].vat.type', /unknown; one of vat20, vat10/);
  hasProblem(problemsOf(sellWith((r) => (r['vats'][0]['type'] = 'vat18'))), 'receipt.vats[0].type', /unknown/);
});

Rules('VAT dates: a rate before its day is refused; 20 % on a 2026 job is accepted with a warning', () => {
  const at = (timestamp: string, vat: string): Json =>
    sellWith((r, j) => {
      for (const item of r['items']) item['vat'] = { type: vat };
      delete r['vats'];
      j['timestamp'] = timestamp;
    });
  hasProblem(problemsOf(at('31.12.2025 23:59:59', 'vat22')), 'receipt.items[0].vat.type', /exists from 01\.01\.2026/);
  hasProblem(problemsOf(at('31.12.2024 10:00:00', 'vat5')), 'receipt.items[0].vat.type', /exists from 01\.01\.2025/);
  const job = parsed(at('30.11.2026 12:00:00', 'vat20'));
  assert.ok('warnings' in job && job.warnings?.length === 1 && /vat22/.test(job.warnings[0] ?? ''), JSON.stringify(job));
  const before = parsed(at('30.12.2025 12:00:00', 'vat20'));
  assert.not.ok('warnings' in before && before.warnings, '20 % in 2025: no warning');
  hasProblem(problemsOf(at('31.13.2026 12:00:00', 'vat20')), 'timestamp', /not a date and time/);
  // No timestamp: the register's clock dates the job.
  const noStamp = sellWith((r, j) => {
    for (const item of r['items']) item['vat'] = { type: 'vat22' };
    delete r['vats'];
    delete j['timestamp'];
  });
  hasProblem(problemsOf(noStamp, { ...CTX, now: () => Date.UTC(2025, 5, 1) / 1000 }), 'receipt.items[0].vat.type', /exists from/);
  parsed(noStamp, { ...CTX, now: () => Date.UTC(2026, 0, 1) / 1000 });
});

Rules("a correction's VAT rates are judged by the corrected settlement's date (1178), which may not come after the correction", () => {
  const corr = (baseDate: string, vat: string, ctx: ValidationContext = CTX): readonly Problem[] | Job => {
    const receipt = sell()['receipt'];
    for (const item of receipt['items']) item['vat'] = { type: vat };
    delete receipt['vats'];
    const o = parse({ version: 1, id: 'corr-vat', type: 'sell_correction', timestamp: '30.11.2026 12:00:00', correction: { ...receipt, correction_info: { type: 'self', base_date: baseDate, base_number: 'акт 7' } } }, ctx);
    return o.ok ? o.job : o.problems;
  };
  const problems = (x: readonly Problem[] | Job): readonly Problem[] => (Array.isArray(x) ? x : []);
  hasProblem(problems(corr('15.05.2025', 'vat22')), 'correction.items[0].vat.type', /exists from 01\.01\.2026; this corrected settlement is dated 15\.05\.2025/);
  hasProblem(problems(corr('15.05.2024', 'vat5')), 'correction.items[0].vat.type', /exists from 01\.01\.2025; this corrected settlement is dated 15\.05\.2024/);
  // 20 % for a 2025 settlement, corrected in 2026: lawful, and nothing to warn of.
  const old = corr('15.05.2025', 'vat20');
  assert.ok(!Array.isArray(old) && !('warnings' in old && old.warnings), JSON.stringify(old));
  // The same rate for a 2026 settlement: the warning, about the settlement's date.
  const recent = corr('15.05.2026', 'vat20');
  assert.ok(!Array.isArray(recent) && 'warnings' in recent && /on a corrected settlement dated 15\.05\.2026/.test(recent.warnings?.[0] ?? ''), JSON.stringify(recent));
  hasProblem(problems(corr('01.12.2026', 'vat22')), 'correction.correction_info.base_date', /dated after this correction receipt/);
  // An FFD 1.05 correction always names its basis document (1179).
  const receipt = sell()['receipt'];
  for (const item of receipt['items']) item['vat'] = { type: 'vat20' };
  delete receipt['vats'];
  const o = parse({ version: 1, id: 'corr-105', type: 'sell_correction', correction: { ...receipt, correction_info: { type: 'self', base_date: '15.05.2025' } } }, { ...CTX, ffd: '1.05' });
  hasProblem(o.ok ? [] : o.problems, 'correction.correction_info.base_number', /FFD 1\.05 correction names its basis document \(1179\)/);
});

Rules('a prepayment at a plain rate is accepted with a warning naming the calculated rate; at the calculated rate, none', () => {
  const withMethod = (method: string, vat: string): Job =>
    parsed(
      sellWith((r) => {
        for (const item of r['items']) item['vat'] = { type: vat };
        r['items'][0]['payment_method'] = method;
        delete r['vats'];
      }),
    );
  const warned = withMethod('full_prepayment', 'vat22');
  assert.ok('warnings' in warned && warned.warnings?.some((w) => /receipt\.items\[0\]\.vat\.type: НДС 22% \(vat22\) on a full_prepayment: .* calculated rate, vat122/.test(w)), JSON.stringify(warned));
  for (const [method, vat] of [['full_prepayment', 'vat122'], ['advance', 'vat110'], ['full_payment', 'vat22']] as const) {
    const job = withMethod(method, vat);
    assert.not.ok('warnings' in job && job.warnings?.some((w) => /calculated rate/.test(w)), `${method} at ${vat}: ${JSON.stringify(job)}`);
  }
  // The Sberbank cart says the same of its paymentMethod attribute (1: full prepayment).
  const ob = sample('sell-orderbundle.json') as Json;
  ob['order_bundle']['cartItems']['items'][0]['tax']['taxType'] = 12;
  const sber = parsed(ob);
  assert.ok('warnings' in sber && sber.warnings?.some((w) => /items\[0\]\.tax\.taxType: НДС 22% \(vat22\) on a full_prepayment/.test(w)), JSON.stringify(sber));
  const shipped = parsed(sample('sell-orderbundle.json'));
  assert.not.ok('warnings' in shipped && shipped.warnings?.some((w) => /calculated rate/.test(w)), 'the shipped sample uses the calculated rate');
});

Rules('measure, payment_object, payment_method, payment type: known codes for the FFD version', () => {
  hasProblem(problemsOf(sellWith((r) => (r['items'][0]['measure'] = 99))), 'receipt.items[0].measure', /measure 99 is unknown/);
  hasProblem(problemsOf(sellWith((r) => (r['items'][0]['measure'] = 'barrel'))), 'receipt.items[0].measure', /unknown/);
  assert.is(receiptOf(parsed(sellWith((r) => (r['items'][0]['measure'] = 'piece')))).items[0]?.measure, 'piece');
  hasProblem(problemsOf(sellWith((r) => (r['items'][0]['payment_object'] = 99))), 'receipt.items[0].payment_object', /unknown/);
  // 31 and 33 (marked goods) are in the contract, not in this firmware: 'unsupported', for fix_device.
  for (const value of [31, 33, 'commodity_with_marking']) {
    const problems = problemsOf(sellWith((r) => (r['items'][0]['payment_object'] = value)));
    assert.ok(problems.some((p) => p.path === 'receipt.items[0].payment_object' && p.kind === 'unsupported' && /update the register/.test(p.message)), JSON.stringify(problems));
  }
  hasProblem(problemsOf(sellWith((r) => (r['items'][0]['payment_method'] = 'half_payment'))), 'receipt.items[0].payment_method', /payment method "half_payment" is unknown/);
  hasProblem(problemsOf(sellWith((r) => (r['payments'][0]['type'] = 9))), 'receipt.payments[0].type', /payment type 9 is unknown/);
  // 19 (deposit) exists in FFD 1.2 only.
  assert.is(receiptOf(parsed(sellWith((r) => (r['items'][0]['payment_object'] = 19)))).items[0]?.paymentObject, 'deposit');
  hasProblem(problemsOf(sellWith((r) => (r['items'][0]['payment_object'] = 'deposit')), { ...CTX, ffd: '1.05' }), 'receipt.items[0].payment_object', /does not exist in FFD 1\.05/);
});

Rules('CP866: lengths in bytes against the tag table, unencodable characters listed', () => {
  hasProblem(problemsOf(sellWith((r) => (r['items'][0]['name'] = 'Я'.repeat(129)))), 'receipt.items[0].name', /129 bytes in CP866; tag 1030 holds at most 128/);
  parsed(sellWith((r) => (r['items'][0]['name'] = 'Я'.repeat(128))));
  hasProblem(problemsOf(sellWith((r) => (r['items'][0]['name'] = 'Кофе ☕ «лучший» €'))), 'receipt.items[0].name', /"☕" \(U\+2615\), "«" \(U\+00AB\), "»" \(U\+00BB\), "€" \(U\+20AC\)/);
  hasProblem(problemsOf(sellWith((r) => (r['cashier'] = 'К'.repeat(65)))), 'receipt.cashier', /tag 1021 holds at most 64/);
  hasProblem(problemsOf(sellWith((r) => (r['client']['email'] = `${'a'.repeat(60)}@ex.ru`))), 'receipt.client.email', /tag 1008 holds at most 64/);
  hasProblem(problemsOf(sellWith((r) => (r['client']['name'] = 'Б'.repeat(257)))), 'receipt.client.name', /tag 1227 holds at most 256/);
  hasProblem(problemsOf(sellWith((r) => (r['company']['email'] = `${'a'.repeat(60)}@ex.ru`))), 'receipt.company.email', /tag 1117 holds at most 64/);
});

Rules('an electronic receipt needs a buyer contact', () => {
  const noContact = sellWith((r) => {
    r['client'] = { name: 'Покупатель' };
    r['internet'] = true;
  });
  hasProblem(problemsOf(noContact), 'receipt.client', /needs a buyer e-mail or phone/);
  const topLevel = sellWith((r, job) => {
    delete r['client'];
    job['internet'] = true;
  });
  hasProblem(problemsOf(topLevel), 'receipt.client', /internet: true/);
  const phoneOnly = parsed(sellWith((r) => ((r['client'] = { phone: '+79001234567' }), (r['internet'] = true))));
  assert.is(phoneOnly.type === 'sell' && phoneOnly.electronic, true);
  assert.equal(receiptOf(phoneOnly).buyer, { contact: '+79001234567' });
  // ATOL Online: with both, the e-mail is the contact.
  assert.equal(receiptOf(parsed(sellWith((r) => (r['client'] = { phone: '+79001234567', email: 'a@b.ru' })))).buyer, { contact: 'a@b.ru' });
});

Rules('phone and e-mail shapes', () => {
  for (const phone of ['89001234567', '+7900123456', '+7 900 123 45 67', 'phone']) {
    hasProblem(problemsOf(sellWith((r) => (r['client'] = { phone }))), 'receipt.client.phone', /\+7 and 10 digits/);
  }
  parsed(sellWith((r) => (r['client'] = { phone: '+37121234567' })));
  for (const email of ['buyer', 'buyer@', 'a b@c.ru', 'a@b']) {
    hasProblem(problemsOf(sellWith((r) => (r['client'] = { email }))), 'receipt.client.email', /not an e-mail address/);
  }
});

Rules('cashier: from the receipt or the job, the same if both; INN needs a name; else the default', () => {
  hasProblem(problemsOf(sellWith((_r, job) => (job['cashier'] = 'Другой Кассир'))), 'cashier', /differs from receipt\.cashier/);
  parsed(sellWith((_r, job) => (job['cashier'] = 'Иванова Мария')));
  const fromJob = sellWith((r, job) => {
    delete r['cashier'];
    delete r['cashier_inn'];
    job['cashier'] = 'Петров Пётр';
  });
  assert.equal(receiptOf(parsed(fromJob)).cashier, { name: 'Петров Пётр' });
  const none = sellWith((r) => {
    delete r['cashier'];
    delete r['cashier_inn'];
  });
  assert.equal(receiptOf(parsed(none)).cashier, CTX.defaultCashier);
  hasProblem(problemsOf(sellWith((r) => delete r['cashier'])), 'receipt.cashier_inn', /needs the cashier name/);
});

Rules('seller: registration data; the sender e-mail from company.email, else the registration', () => {
  const r = receiptOf(parsed(sellWith((r) => (r['company']['email'] = 'shop@example.ru'))));
  assert.equal(r.seller, { name: CTX.seller.name, address: CTX.address, place: CTX.place, email: 'shop@example.ru', fnsSite: CTX.seller.fnsSite });
  assert.is(receiptOf(parsed(sellWith((r) => delete r['company']['email']))).seller.email, CTX.seller.email);
});

Rules('correction_info: a real date, a number for an instruction, 1179 length', () => {
  const corr = (info: Json): Json => ({ version: 1, id: 'c1', type: 'sell_correction', correction: { ...sell().receipt, correction_info: info } });
  hasProblem(problemsOf(corr({ type: 'self', base_date: '31.02.2025' })), 'correction.correction_info.base_date', /not a date/);
  hasProblem(problemsOf(corr({ type: 'self', base_date: '2025-02-01' })), 'correction.correction_info.base_date', /dd\.mm\.yyyy/);
  hasProblem(problemsOf(corr({ type: 'instruction', base_date: '01.02.2025' })), 'correction.correction_info.base_number', /number of the tax authority order/);
  hasProblem(problemsOf(corr({ type: 'instruction', base_date: '01.02.2025', base_number: '1'.repeat(33) })), 'correction.correction_info.base_number', /tag 1179 holds at most 32/);
  const c = corr({ type: 'self', base_date: '01.02.2025' });
  c['correction']['items'][0]['price'] = 1.001;
  hasProblem(problemsOf(c), 'correction.items[0].price', /more than 2 decimals/);
});

Rules('several problems are reported at once, each at its path', () => {
  const job = sellWith((r) => {
    r['items'][0]['price'] = 0.1 + 0.2;
    r['items'][1]['vat']['type'] = 'vat18';
    r['items'][2]['measure'] = 99;
    r['items'][2]['name'] = 'Кофе ☕';
    r['company']['inn'] = '7707083894';
    r['company']['payment_address'] = 'elsewhere';
    r['company']['sno'] = 'patent';
    r['cashier_inn'] = '7707083893';
    r['client'] = { phone: '89001234567' };
    r['payments'][0]['type'] = 7;
  });
  const problems = problemsOf(job);
  const paths = [
    'receipt.items[0].price',
    'receipt.items[1].vat.type',
    'receipt.items[2].measure',
    'receipt.items[2].name',
    'receipt.company.inn',
    'receipt.company.payment_address',
    'receipt.company.sno',
    'receipt.cashier_inn',
    'receipt.client.phone',
    'receipt.payments[0].type',
  ];
  for (const p of paths) hasProblem(problems, p);
  assert.is(problems.length, paths.length, JSON.stringify(problems, null, 1));
});

Rules.run();
