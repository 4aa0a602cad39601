/**
 * The job digest (job-digest.ts): what tells a repeat from another job under a held id.
 * Journals keep digests across updates and roll-backs, so the bytes hashed are pinned: the
 * samples' digests as every earlier version computed them, and the canonical text against
 * its definition (keys sorted in every object, JSON.stringify for the rest) over random values.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { canonicalJson, digestOf } from '../../firmware/jobs/job-digest.ts';
import { seededRandom, type SeededRandom } from '../helpers/seeded-random.ts';

const test = suite('job digest');

/** The definition, written out key by key. */
function definition(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(definition).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${definition(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

test('the shipped samples keep the digests earlier versions journaled', () => {
  const digest = (name: string): string => digestOf(JSON.parse(readFileSync(`device-config/samples/${name}.json`, 'utf8')));
  assert.is(digest('sell-atol'), '4OBfSkFBVo39+qEyJXULTG');
  assert.is(digest('refund-atol'), '8ldatGS4ZFrskI4lZQmokk');
  assert.is(digest('sell-orderbundle'), 'IQNX7Mtyx3Wllbk9Tkg+zZ');
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
  assert.is(canonicalJson(value), definition(value));
});

const KEYS = ['a', 'b', 'B', 'aa', '10', '2', 'я', 'ё', 'name', 'price', '\u2028', 'constructor', 'valueOf', '__proto__', 'toJSON', '😀', ''];

function randomValue(r: SeededRandom, depth: number): unknown {
  const pick = r.between(0, depth > 3 ? 4 : 6);
  if (pick === 0) return r.next() < 0.5 ? null : r.next() < 0.5;
  if (pick === 1) return [0, -0, 1.5, -7, 1e21, 123456789.01, Number.MAX_SAFE_INTEGER][r.between(0, 7)];
  if (pick === 2) return Math.round(r.next() * 1e6) / 100;
  if (pick === 3) return ['', 'Молоко 3,2%', 'a"b\\c', '\ud800', 'tab\there', '€', '\u0000'][r.between(0, 7)];
  if (pick === 4) return Array.from({ length: r.between(0, 4) }, () => randomValue(r, depth + 1));
  // Through JSON.parse, as a payload arrives: "__proto__" becomes an own key as it does there.
  const entries = Array.from({ length: r.between(0, 6) }, () => `${JSON.stringify(KEYS[r.between(0, KEYS.length)])}:${JSON.stringify(randomValue(r, depth + 1)) ?? 'null'}`);
  return JSON.parse(`{${entries.join(',')}}`) as unknown;
}

test('the canonical text is the definition, over random values', () => {
  const r = seededRandom('job digest fuzz');
  let viaPrototypeKey = 0;
  for (let i = 0; i < 3000; i++) {
    const value = randomValue(r, 0);
    const text = canonicalJson(value);
    assert.is(text, definition(value), `value ${i} of seed ${r.seed}: ${definition(value)}`);
    if (/"(constructor|valueOf|__proto__|toJSON)":/.test(text)) viaPrototypeKey++;
  }
  // Both ways of building the text were taken.
  assert.ok(viaPrototypeKey > 100 && viaPrototypeKey < 2900, `${viaPrototypeKey} of 3000 values had a key of Object.prototype`);
});

test.run();
