/**
 * Issue 11 §5: the requests of test/fixtures/real/ (written from the public Sberbank and
 * ATOL Online docs) through a real mosquitto, the runtime and the FN emulator: each ends
 * with the final result its file expects, the bad ones with their exact complaint. Then
 * ids end to end: a refused job resent under its id after the fix, a report request.
 */
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { mqttSuite } from '../helpers/mqtt-suite.ts';
import type { Fixture } from '../unit/real-requests.test.ts';

const DIR = 'test/fixtures/real';
const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ name: f, ...(JSON.parse(readFileSync(`${DIR}/${f}`, 'utf8')) as Fixture) }));
const idOf = (job: Record<string, any>): string => job['id'] ?? job['atol_request']?.['external_id']; // eslint-disable-line @typescript-eslint/no-explicit-any -- fixture data

const it = mqttSuite('real requests over MQTT (mosquitto)');

it('every fixture ends as its file expects', async (ctx) => {
  const cloud = ctx.cloud!;
  for (const f of fixtures) await cloud.publish(JSON.stringify(f.job));
  for (const f of fixtures) {
    const r = await cloud.final(idOf(f.job), 30_000);
    assert.is(r.status, f.expect.status, `${f.name}: ${JSON.stringify(r.error)}`);
    assert.is(r.type, f.job['type'], `${f.name} names its type`);
    if (f.expect.status === 'done') {
      assert.ok((r.payload?.fiscal_document_number ?? 0) > 0, `${f.name} is a fiscal document`);
      assert.is(r.atol_status, 'done');
    } else {
      assert.is(r.error?.code, f.expect.code);
      if (f.expect.problems) assert.equal(r.error?.problems, f.expect.problems, f.name);
      for (const path of f.expect.problems_at ?? []) assert.ok(r.error?.problems?.some((p) => p.path === path), `${f.name}: ${path}`);
    }
    for (const [k, v] of Object.entries(f.expect.echo ?? {})) assert.is((r as unknown as Record<string, unknown>)[k], v, `${f.name} echoes ${k}`);
  }
  const sber = await cloud.final('real-sber-register-1');
  assert.is(sber.payload?.total, 2460, 'the order amount is the receipt total');
});

it('a refused job is sent again under its id once fixed; a report request answers from the ledger', async (ctx) => {
  const cloud = ctx.cloud!;
  const fixed = fixtures.find((f) => f.name === 'bad-sber-amount.json')!.job;
  fixed['sberbank_request']['amount'] = 24600;
  await cloud.publish(JSON.stringify(fixed));
  const deadline = Date.now() + 30_000;
  const doneOf = () => cloud.results.get('real-bad-sber-amount')?.find((r) => r.status === 'done');
  while (!doneOf() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.ok(doneOf(), 'the fixed job is fiscalized under the id of the refused one');

  await cloud.publish(JSON.stringify({ version: 1, id: 'real-ask-1', type: 'report', ids: ['real-atol5-1', 'real-never-sent'] }));
  const asked = await cloud.final('real-ask-1');
  assert.match(asked.message ?? '', /1 result\(s\) sent again, 1 unknown/);
  assert.ok(cloud.results.get('real-never-sent')?.some((r) => r.status === 'unknown'));
  assert.ok((cloud.results.get('real-atol5-1')?.filter((r) => r.status === 'done').length ?? 0) >= 2, 'the stored result came again');
});

it.run();
