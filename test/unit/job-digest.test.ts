/**
 * The job digest (job-digest.ts): what tells a repeat from another job under a held id.
 * Journals keep digests across updates and roll-backs, so the bytes hashed are pinned: the
 * samples' digests as every earlier version computed them, and the canonical text of a value
 * whose keys Object.prototype also has.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { canonicalJson, digestOf } from '../../firmware/jobs/job-digest.ts';

const test = suite('job digest');

test('the shipped samples keep the digests earlier versions journaled', () => {
  const digest = (name: string): string => digestOf(JSON.parse(readFileSync(`device-config/samples/${name}.json`, 'utf8')));
  assert.is(digest('sell-atol'), '4OBfSkFBVo39+qEyJXULTG');
  assert.is(digest('refund-atol'), '8ldatGS4ZFrskI4lZQmokk');
  assert.is(digest('sell-orderbundle'), 'aEQHzQijMPPUlZysVTmDvo');
  // sell-orderbundle.json as earlier versions shipped it, before its prepaid items took the
  // calculated rate (taxType 12 → 13): the digest they journaled for it.
  const before = JSON.parse(readFileSync('device-config/samples/sell-orderbundle.json', 'utf8')) as { order_bundle: { cartItems: { items: { tax: { taxType: number } }[] } } };
  for (const i of [0, 2]) before.order_bundle.cartItems.items[i]!.tax.taxType = 12;
  assert.is(digestOf(before), 'IQNX7Mtyx3Wllbk9Tkg+zZ');
});

test('key order does not matter; content does', () => {
  assert.is(digestOf({ a: 1, b: { c: [1, 2], d: 'x' } }), digestOf({ b: { d: 'x', c: [1, 2] }, a: 1 }));
  assert.is.not(digestOf({ a: 1, b: { c: [1, 2] } }), digestOf({ a: 1, b: { c: [2, 1] } }));
  assert.is.not(digestOf({ a: 1 }), digestOf({ a: '1' }));
});

test('keys Object.prototype also has are written as the object has them', () => {
  // JSON.parse makes "__proto__" an own key; an object without it must not gain the prototype's.
  const value = JSON.parse('{"__proto__": {"x": 1}, "items": [{"constructor": "a"}, {"name": "b"}], "toString": 2}') as unknown;
  assert.is(canonicalJson(value), '{"__proto__":{"x":1},"items":[{"constructor":"a"},{"name":"b"}],"toString":2}');
});

test.run();
