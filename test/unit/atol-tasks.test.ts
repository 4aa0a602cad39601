import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { planTask, SUPPORTED_TASKS, taskPath } from '../../firmware/local-api/atol-tasks.ts';
import { taskResult } from '../../firmware/local-api/atol-results.ts';
import { parsePayload } from '../../firmware/jobs/parse-job.ts';
import type { LedgerEntry } from '../../firmware/jobs/job-ledger.ts';
import type { JobResult } from '../../firmware/jobs/job-result.ts';
import { DEMO_JOB_CONTEXT } from '../helpers/job-context.ts';

const Tasks = suite('local API: ATOL driver tasks → jobs');

type Json = Record<string, any>;

/** An ATOL driver sell task as a retail program sends it. */
const sell = (over: Json = {}): Json => ({
  type: 'sell',
  taxationType: 'osn',
  operator: { name: 'Иванова Мария', vatin: '500100732259' },
  clientInfo: { emailOrPhone: 'buyer@example.ru' },
  items: [
    { type: 'position', name: 'Хлеб', price: 45.5, quantity: 2, amount: 91, paymentMethod: 'fullPayment', paymentObject: 'commodity', tax: { type: 'vat10' } },
    { type: 'text', text: 'Спасибо за покупку!' },
    { type: 'position', name: 'Сыр, весовой', price: 720, quantity: 0.35, amount: 252, measurementUnit: 11, paymentMethod: 'fullPayment', tax: { type: 'vat20', sum: 42 } },
  ],
  payments: [
    { type: 'cash', sum: 200 },
    { type: 'electronically', sum: 143 },
  ],
  total: 343,
  ...over,
});

function job(task: Json): Json {
  const p = planTask(task, 'request[0]', DEMO_JOB_CONTEXT);
  if (p.kind !== 'job') throw new Error(`not a job: ${JSON.stringify(p)}`);
  return p.job;
}

Tasks('a sell task becomes a Form 1 job the intake accepts, field by field', () => {
  const j = job(sell());
  assert.is(j['type'], 'sell');
  assert.is(j['cashier'], 'Иванова Мария');
  assert.is(j['cashier_inn'], '500100732259');
  const r = j['receipt'] as Json;
  assert.equal(r['company'], { inn: DEMO_JOB_CONTEXT.inn, payment_address: DEMO_JOB_CONTEXT.address, sno: 'osn' });
  assert.equal(r['client'], { email: 'buyer@example.ru' });
  assert.is(r['items'].length, 2, 'the text item is decoration, not a good');
  assert.equal(r['items'][1], { name: 'Сыр, весовой', price: 720, quantity: 0.35, sum: 252, measure: 11, payment_method: 'full_payment', payment_object: 'commodity', vat: { type: 'vat20', sum: 42 } });
  assert.equal(r['payments'], [{ type: 0, sum: 200 }, { type: 1, sum: 143 }]);
  const o = parsePayload(Buffer.from(JSON.stringify({ ...j, id: 'local:u1/0' })), DEMO_JOB_CONTEXT);
  assert.is(o.kind, 'job', JSON.stringify(o));
});

Tasks('cash beyond the total is change: the receipt keeps the cash that stays', () => {
  const r = job(sell({ payments: [{ type: 'cash', sum: 500 }], total: 343 }))['receipt'] as Json;
  assert.equal(r['payments'], [{ type: 0, sum: 343 }]);
  const r2 = job(sell({ payments: [{ type: 1, sum: 300 }, { type: 0, sum: 100.01 }] }))['receipt'] as Json;
  assert.equal(r2['payments'], [{ type: 1, sum: 300 }, { type: 0, sum: 43 }]);
  const r3 = job(sell({ payments: [{ type: 1, sum: 400 }] }))['receipt'] as Json;
  assert.equal(r3['payments'], [{ type: 1, sum: 400 }], 'a card pays no change: left for the intake to refuse');
});

Tasks('without total, the sum of the positions in kopecks', () => {
  const t = sell({ items: [{ type: 'position', name: 'a', price: 0.1, quantity: 1, amount: 0.1, paymentMethod: 'fullPayment', tax: { type: 'none' } }, { type: 'position', name: 'b', price: 0.2, quantity: 1, amount: 0.2, paymentMethod: 'fullPayment', tax: { type: 'none' } }], payments: [{ type: 'cash', sum: 0.3 }] });
  delete t['total'];
  assert.is((job(t)['receipt'] as Json)['total'], 0.3, 'not 0.30000000000000004');
});

Tasks('every problem with the path of the task field', () => {
  const p = planTask(sell({ taxationType: 'simplified', items: [{ type: 'position', name: 'x', price: 1, quantity: 1, amount: 1, tax: { type: 'vat18' } }], payments: [{ type: 'card', sum: 1 }] }), 'request[2]', DEMO_JOB_CONTEXT);
  assert.is(p.kind, 'invalid');
  const paths = p.kind === 'invalid' ? p.problems.map((x) => x.path) : [];
  assert.equal(paths.sort(), ['request[2].items[0].paymentMethod', 'request[2].items[0].tax.type', 'request[2].payments[0].type', 'request[2].taxationType']);
  const vat = p.kind === 'invalid' ? p.problems.find((x) => x.path.endsWith('tax.type'))?.message : '';
  assert.match(vat ?? '', 'vat20, vat10, vat120, vat110, vat0, none', 'the valid rates come from the rate table');
});

Tasks('taxationType may be left out only when the register has one tax system', () => {
  const t = sell();
  delete t['taxationType'];
  assert.is(planTask(t, 'r', DEMO_JOB_CONTEXT).kind, 'invalid');
  assert.is(((planTask(t, 'r', { ...DEMO_JOB_CONTEXT, taxSystems: ['usn_income'] }) as Json)['job']['receipt']['company'] as Json)['sno'], 'usn_income');
});

Tasks('service tasks, queries, corrections, and what is not supported', () => {
  assert.equal(job({ type: 'openShift', operator: { name: 'Петров' } }), { version: 1, type: 'open_shift', cashier: 'Петров' });
  assert.equal(job({ type: 'closeShift' }), { version: 1, type: 'close_shift' });
  assert.equal(job({ type: 'reportX' }), { version: 1, type: 'x_report' });
  assert.equal(job({ type: 'continuePrint' }), { version: 1, type: 'continue_printing' });
  assert.equal(job({ type: 'printLastReceiptCopy' }), { version: 1, type: 'print_copy' });
  assert.equal(job({ type: 'sellReturn', ...sell({ type: 'sellReturn' }) })['type'], 'sell_refund');
  assert.equal(job(sell({ type: 'buyReturn' }))['type'], 'buy_refund');
  assert.equal(planTask({ type: 'getShiftStatus' }, 'r', DEMO_JOB_CONTEXT), { kind: 'query', task: 'getShiftStatus' });
  const corr = job(sell({ type: 'sellCorrection', correctionType: 'instruction', correctionBaseDate: '2025.05.15', correctionBaseNumber: '12-34' }));
  assert.equal((corr['correction'] as Json)['correction_info'], { type: 'instruction', base_date: '15.05.2025', base_number: '12-34' });
  const unknown = planTask({ type: 'cashIn', cashSum: 10 }, 'request[0]', DEMO_JOB_CONTEXT);
  assert.is(unknown.kind, 'invalid');
  for (const t of ['sell', 'sellReturn', 'buy', 'buyReturn', 'sellCorrection', 'buyCorrection', 'openShift', 'closeShift', 'reportX', 'continuePrint', 'printLastReceiptCopy', 'getDeviceStatus', 'getShiftStatus', 'getFnInfo', 'ofdExchangeStatus']) assert.ok(SUPPORTED_TASKS.includes(t), t);
});

Tasks('a problem the job contract finds is named by the task field it came from', () => {
  const plan = planTask(sell(), 'request[1]', DEMO_JOB_CONTEXT);
  const index = plan.kind === 'job' ? plan.itemIndex : [];
  assert.equal(index, [0, 2], 'the text item is not a job item');
  assert.is(taskPath('receipt.items[1].sum', 'request[1]', index), 'request[1].items[2].amount');
  assert.is(taskPath('receipt.items[0].vat.sum', 'request[1]', index), 'request[1].items[0].tax.sum');
  assert.is(taskPath('receipt.items[1]', 'request[1]', index), 'request[1].items[2]');
  assert.is(taskPath('receipt.company.sno', 'request[1]', index), 'request[1].taxationType');
  assert.is(taskPath('receipt.client.email', 'request[1]', index), 'request[1].clientInfo.emailOrPhone');
  assert.is(taskPath('receipt.payments', 'request[1]', index), 'request[1].payments');
  assert.is(taskPath('cashier', 'request[1]', index), 'request[1].operator.name');
  assert.is(taskPath('correction.correction_info.base_date', 'request[1]', index), 'request[1].correctionBaseDate');
  assert.is(taskPath('receipt', 'request[1]', index), 'request[1]');
});

const Results = suite('local API: task states in the ATOL web server words');

const entry = (status: LedgerEntry['status']): LedgerEntry => ({ id: 'local:u/0', acceptedAt: 0, seq: 1, status });
const done: JobResult = {
  version: 1,
  id: 'local:u/0',
  type: 'sell',
  status: 'done',
  device_id: 'd',
  timestamp: '01.06.2025 12:00:00',
  payload: { total: 91, fns_site: 'www.nalog.gov.ru', fn_number: '9999078900005488', shift_number: 2, receipt_datetime: '01.06.2025 12:00:01', fiscal_receipt_number: 5, fiscal_document_number: 17, ecr_registration_number: '0000000001048928', fiscal_document_attribute: 123456, ofd_inn: '7704211201' },
};

Results('wait, inProgress, blocked, ready, error, canceled, interrupted', () => {
  const calm = { fnUncertain: false };
  assert.is(taskResult(entry('accepted'), undefined, calm).status, 'wait');
  assert.is(taskResult(entry('in_progress'), undefined, calm).status, 'inProgress');
  assert.is(taskResult(entry('in_progress'), undefined, { fnUncertain: true }).status, 'blocked', 'the FN stopped answering mid-task');
  assert.is(taskResult(entry('fiscalized_not_printed'), undefined, calm).status, 'blocked', 'fiscalized, waiting for paper');
  const ready = taskResult(entry('done'), done, calm);
  assert.is(ready.status, 'ready');
  assert.is(ready.errorCode, 0);
  assert.equal(ready.result?.['fiscalParams'], { fiscalDocumentNumber: 17, fiscalDocumentSign: '123456', fiscalReceiptNumber: 5, fnNumber: '9999078900005488', registrationNumber: '0000000001048928', shiftNumber: 2, total: 91, fnsUrl: 'www.nalog.gov.ru', receiptDateTime: '2025-06-01T12:00:01' });
  const fail = (code: string): JobResult => ({ ...done, status: 'fail', error: { code, text: 'why', recommendation: 'fix_device' } });
  const err = taskResult(entry('fail'), fail('fn_blocked'), calm);
  assert.is(err.status, 'error');
  assert.ok(err.errorCode > 0);
  assert.is(err.error.code, err.errorCode);
  assert.is(err.errorDescription, 'fn_blocked: why');
  assert.is(taskResult(entry('fail'), fail('canceled'), calm).status, 'canceled');
  assert.is(taskResult(entry('fail'), fail('interrupted'), calm).status, 'interrupted');
});

Tasks.run();
Results.run();
