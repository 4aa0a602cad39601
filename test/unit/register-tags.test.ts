/**
 * The register sends every tag its FFD marks mandatory (register-tags.ts; issue 10 §5): each
 * receipt and correction job type, in FFD 1.05 and 1.2, parsed from the job contract and
 * built into its document; the internet tags for an internet settlement. The service job
 * types (registration, shifts, state report) are checked through the whole register in
 * test/integration/fiscal-2026-fixtures.test.ts.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FFD_VERSIONS } from '../../firmware/fiscal/ffd-version.ts';
import { buildCorrectionReceipt, buildReceipt, type BuiltDocument } from '../../firmware/fiscal/receipt-builder.ts';
import { INTERNET_TAGS, REGISTER_TAGS } from '../../firmware/fiscal/register-tags.ts';
import type { TlvNode } from '../../firmware/fiscal/tlv-codec.ts';
import { JOB_TYPES, type Job, type ValidationContext } from '../../firmware/jobs/job.ts';
import { parseJobPayload } from '../../firmware/jobs/parse-job.ts';

const it = suite('register-tags');

const ctx = (ffd: '1.05' | '1.2'): ValidationContext => ({
  ffd,
  inn: '7707083893',
  address: 'г. Москва, ул. Льва Толстого, д. 16',
  place: 'shop.example.ru',
  taxSystems: ['osn'],
  seller: { name: 'ООО "Ромашка"' },
  defaultCashier: { name: 'Кассир' },
  maxPayloadBytes: 65536,
});

function body(internet: boolean): Record<string, unknown> {
  return {
    company: { sno: 'osn', inn: '7707083893', payment_address: 'shop.example.ru' },
    client: { email: 'buyer@example.ru' },
    items: [{ name: 'Чайник', price: 1220, quantity: 1, sum: 1220, measure: 0, payment_method: 'full_payment', payment_object: 1, vat: { type: 'vat22' } }],
    payments: [{ type: 1, sum: 1220 }],
    total: 1220,
    ...(internet ? { internet: true } : {}),
  };
}

function jobOf(type: string, ffd: '1.05' | '1.2', internet: boolean): Job {
  const isCorrection = type.endsWith('_correction');
  const wire = {
    version: 1,
    id: `t-${type}`,
    type,
    timestamp: '30.11.2026 12:00:00',
    ...(isCorrection ? { correction: { ...body(internet), correction_info: { type: 'self', base_date: '28.11.2026', base_number: 'акт 7' } } } : { receipt: body(internet) }),
  };
  const o = parseJobPayload(new TextEncoder().encode(JSON.stringify(wire)), ctx(ffd));
  assert.ok(o.ok, `${type} FFD ${ffd}: ${o.ok ? '' : JSON.stringify(o.problems)}`);
  return (o as { job: Job }).job;
}

function build(job: Job, ffd: '1.05' | '1.2'): BuiltDocument {
  if ('receipt' in job) return buildReceipt(job.receipt, ffd);
  if ('correction' in job) return buildCorrectionReceipt(job.correction, ffd);
  throw new Error('not a receipt job');
}

function inner(nodes: readonly TlvNode[], tag: number): TlvNode[][] {
  return nodes.filter((n) => n.tag === tag).map((n) => n.value as TlvNode[]);
}

const RECEIPT_JOBS = JOB_TYPES.filter((t) => ['sell', 'sell_refund', 'buy', 'buy_refund'].includes(t) || t.endsWith('_correction'));

it('every receipt and correction job type: the tags of its document type and FFD', () => {
  assert.is(RECEIPT_JOBS.length, 8);
  for (const ffd of FFD_VERSIONS) {
    for (const type of RECEIPT_JOBS) {
      if (ffd === '1.05' && type.endsWith('refund_correction')) continue; // FFD 1.2 only: parse-job refuses it (unsupported)
      for (const internet of [false, true]) {
        const doc = build(jobOf(type, ffd, internet), ffd);
        const want = REGISTER_TAGS[doc.fdType]?.[ffd];
        assert.ok(want, `${type}: a row for FD type ${doc.fdType}`);
        const top = new Set(doc.tlv.map((n) => n.tag));
        for (const t of [...(want?.top ?? []), ...(internet ? INTERNET_TAGS : [])]) assert.ok(top.has(t), `${type} FFD ${ffd}${internet ? ' internet' : ''}: ${t}`);
        for (const item of inner(doc.tlv, 1059)) for (const t of want?.item ?? []) assert.ok(item.some((n) => n.tag === t), `${type} FFD ${ffd} item: ${t}`);
        for (const basis of inner(doc.tlv, 1174)) for (const t of want?.basis ?? []) assert.ok(basis.some((n) => n.tag === t), `${type} FFD ${ffd} basis: ${t}`);
        if (!internet) assert.not.ok(top.has(1125), `${type}: 1125 only for internet settlements`);
      }
    }
  }
});

it('FFD 1.05: refund corrections are refused as unsupported (fix_device), not formed as something else', () => {
  for (const type of ['sell_refund_correction', 'buy_refund_correction']) {
    const wire = { version: 1, id: 'x', type, correction: { ...body(false), correction_info: { type: 'self', base_date: '28.11.2026' } }, timestamp: '30.11.2026 12:00:00' };
    const o = parseJobPayload(new TextEncoder().encode(JSON.stringify(wire)), ctx('1.05'));
    assert.not.ok(o.ok);
    assert.ok(!o.ok && o.problems.some((p) => p.kind === 'unsupported' && p.path === 'type'), JSON.stringify(o));
  }
});

it.run();
