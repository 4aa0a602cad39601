/**
 * Issue 3 acceptance against a real mosquitto the suite starts: a job becomes a result whose
 * fiscal attributes match the FN archive; 100 redeliveries of one job id make one fiscal
 * document; malformed payloads get fail results with paths and the register keeps running.
 */
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { encode as encodeCbor } from 'cbor-x';
import { FN } from '../../drivers/fn/fn-commands.ts';
import { readArchivedTlv } from '../../drivers/fn/fn-procedures.ts';
import { decodeTlv, findTag } from '../../firmware/fiscal/tlv-codec.ts';
import { fpdFromTag1077 } from '../../firmware/fiscal/fpd-tag.ts';
import { mqttSuite } from '../helpers/mqtt-suite.ts';
import { pollUntil } from '../helpers/poll.ts';

const sample = (name: string): Record<string, unknown> => JSON.parse(readFileSync(`device-config/samples/${name}`, 'utf8')) as Record<string, unknown>;

const it = mqttSuite('jobs over MQTT (mosquitto)');

it('a sell job: the result carries the fiscal attributes the FN archive holds', async (ctx) => {
  const job = { ...sample('sell-atol.json'), id: 'it-sell-1' };
  await ctx.cloud!.publish(JSON.stringify(job));
  const result = await ctx.cloud!.final('it-sell-1');
  assert.is(result.status, 'done', JSON.stringify(result.error));
  const p = result.payload!;
  assert.ok(p.fiscal_document_number > 0);
  const statuses = ctx.cloud!.results.get('it-sell-1')!.map((r) => r.status);
  assert.equal(statuses.slice(0, 2), ['accepted', 'in_progress'], 'the intermediate states come first');

  const archived = decodeTlv((await readArchivedTlv(ctx.rig!.app.fn.driver, p.fiscal_document_number)).tlv);
  assert.is(findTag(archived, 1040)?.value, p.fiscal_document_number);
  assert.is(fpdFromTag1077(findTag(archived, 1077)?.value as Uint8Array), p.fiscal_document_attribute);
  assert.is(findTag(archived, 1042)?.value, p.fiscal_receipt_number);
  assert.is(findTag(archived, 1038)?.value, p.shift_number);
  assert.is(findTag(archived, 1020)?.value, Math.round(p.total! * 100));
  assert.is(findTag(archived, 1041)?.value, p.fn_number);
  assert.is(findTag(archived, 1037)?.value, p.ecr_registration_number);
  assert.match(p.qr!, new RegExp(`^t=\\d{8}T\\d{4}&s=[\\d.]+&fn=${p.fn_number}&i=${p.fiscal_document_number}&fp=${p.fiscal_document_attribute}&n=1$`));
});

it('the same job id 100 times (QoS 1 redelivery, cloud retries): one fiscal document', async (ctx) => {
  const fn = ctx.rig!.app.fn.driver;
  const before = (await fn.execute(FN.getStatus, {})).value.lastFd;
  const payload = JSON.stringify({ ...sample('sell-atol.json'), id: 'it-dup-1' });
  await Promise.all(Array.from({ length: 100 }, () => ctx.cloud!.publish(payload)));
  const result = await ctx.cloud!.final('it-dup-1');
  assert.is(result.status, 'done');
  await ctx.rig!.app.pipeline.idle();
  // Every delivery answered (99 duplicates, the job's own accepted, in_progress and done) before counting.
  await pollUntil(() => (ctx.cloud!.results.get('it-dup-1')?.length ?? 0) >= 102, { timeoutMs: 10_000, what: 'an answer to every delivery of it-dup-1' });
  const after = (await fn.execute(FN.getStatus, {})).value.lastFd;
  assert.is(after - before, 1, 'exactly one new FD');
  const finals = ctx.cloud!.results.get('it-dup-1')!.filter((r) => r.status === 'done');
  assert.ok(finals.length >= 1);
  assert.ok(finals.every((r) => r.payload?.fiscal_document_number === result.payload?.fiscal_document_number), 'every answer names the same document');
});

it('malformed payloads: fail results with paths, the register keeps running', async (ctx) => {
  const cloud = ctx.cloud!;
  const fn = ctx.rig!.app.fn.driver;
  const before = (await fn.execute(FN.getStatus, {})).value.lastFd;
  const wrongTypes: Record<string, unknown> = { ...sample('sell-atol.json'), id: 'it-bad-types' };
  (wrongTypes['receipt'] as Record<string, unknown>)['total'] = 'a lot';
  const unknownType = { ...sample('sell-atol.json'), id: 'it-bad-type', type: 'sell_everything' };
  await cloud.publish('{"id": "it-bad-json", "type": "sell", ');
  await cloud.publish(Uint8Array.of(0xa2, 0x62, 0x69, 0x64, 0xff, 0x00));
  await cloud.publish(JSON.stringify(wrongTypes));
  await cloud.publish(JSON.stringify(unknownType));
  await cloud.publish(JSON.stringify({ ...sample('sell-atol.json'), id: 'it-big', padding: 'x'.repeat(1024 * 1024) }));
  await cloud.publish(encodeCbor({ ...sample('sell-atol.json'), id: 'it-cbor-bad', receipt: { items: 7 } }));

  const typesResult = await cloud.final('it-bad-types');
  assert.is(typesResult.status, 'fail');
  assert.is(typesResult.error?.recommendation, 'fix_data');
  assert.ok(typesResult.error?.problems?.some((p) => p.path === 'receipt.total'), JSON.stringify(typesResult.error?.problems));
  const typeResult = await cloud.final('it-bad-type');
  assert.ok(typeResult.error?.problems?.some((p) => p.path === 'type'), JSON.stringify(typeResult.error?.problems));
  assert.is((await cloud.final('it-cbor-bad')).status, 'fail');

  // Payloads too broken to name a job: fail results with id null.
  await pollUntil(() => (cloud.results.get(null)?.length ?? 0) >= 3, { timeoutMs: 10_000, intervalMs: 100, what: 'three fail results without an id' });
  const anonymous = cloud.results.get(null) ?? [];
  assert.ok(anonymous.length >= 3, `bad JSON, bad CBOR and the 1 MB payload each get a fail result (${anonymous.length})`);
  assert.ok(anonymous.every((r) => r.status === 'fail' && r.error?.recommendation === 'fix_data'));

  // Nothing reached the FN; the register still works.
  assert.is((await fn.execute(FN.getStatus, {})).value.lastFd, before);
  await cloud.publish(JSON.stringify({ ...sample('sell-atol.json'), id: 'it-after-bad' }));
  assert.is((await cloud.final('it-after-bad')).status, 'done');
});

it('a Sberbank orderBundle job and a CBOR payload are fiscalized like ATOL ones', async (ctx) => {
  await ctx.cloud!.publish(JSON.stringify({ ...sample('sell-orderbundle.json'), id: 'it-ob-1' }));
  await ctx.cloud!.publish(encodeCbor({ ...sample('refund-atol.json'), id: 'it-cbor-refund' }));
  const ob = await ctx.cloud!.final('it-ob-1');
  assert.is(ob.status, 'done', JSON.stringify(ob.error));
  const refund = await ctx.cloud!.final('it-cbor-refund');
  assert.is(refund.status, 'done', JSON.stringify(refund.error));
  assert.match(refund.payload!.qr!, /&n=2$/);
});

it('service jobs: shifts, reports, a copy by FD number, continue printing', async (ctx) => {
  const cloud = ctx.cloud!;
  const job = (id: string, type: string, extra: Record<string, unknown> = {}): string => JSON.stringify({ version: 1, id, type, ...extra });
  await cloud.publish(job('svc-open', 'open_shift'));
  const open = await cloud.final('svc-open');
  assert.is(open.status, 'done');
  assert.match(open.message ?? '', /already open/);
  await cloud.publish(job('svc-x', 'x_report'));
  assert.match((await cloud.final('svc-x')).message ?? '', /СМЕНА \d+ ОТКРЫТА/);
  await cloud.publish(job('svc-state', 'state_report'));
  const state = await cloud.final('svc-state');
  assert.is(state.status, 'done');
  assert.ok((state.payload?.fiscal_document_number ?? 0) > 0, 'the settlement-state report is a fiscal document');
  await cloud.publish(job('svc-copy', 'print_copy', { fd: 1 }));
  assert.is((await cloud.final('svc-copy')).message, 'copy of FD 1 printed');
  await cloud.publish(job('svc-copy-none', 'print_copy', { fd: 99999 }));
  const none = await cloud.final('svc-copy-none');
  assert.is(none.status, 'fail');
  assert.is(none.error?.code, 'no_document');
  await cloud.publish(job('svc-continue', 'continue_printing'));
  assert.is((await cloud.final('svc-continue')).status, 'done');
  await cloud.publish(job('svc-close', 'close_shift'));
  const close = await cloud.final('svc-close');
  assert.is(close.status, 'done');
  assert.ok((close.payload?.fiscal_document_number ?? 0) > (state.payload?.fiscal_document_number ?? 0));
  await cloud.publish(job('svc-close-again', 'close_shift'));
  assert.match((await cloud.final('svc-close-again')).message ?? '', /already closed/);
});

it.run();
