/** The technician PIN (issue 12 §4): salted scrypt hash, constant-time check, lockout after repeated failures. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../firmware/core/clock.ts';
import { hashPin, TechnicianPin } from '../../firmware/security/technician-pin.ts';
import { testLog } from '../helpers/fn-rig.ts';
import { overlayProfile, profileKeyProblems } from '../../firmware/provisioning/profile-store.ts';
import { parseConfig } from '../../firmware/config/parse-config.ts';
import { readFileSync } from 'node:fs';

const it = suite('technician PIN');
const cheap = { N: 1024, r: 8, p: 1 };

it('the hash is salted: the same PIN hashes differently, and neither holds the PIN', () => {
  const a = hashPin('2468', undefined, cheap);
  const b = hashPin('2468', undefined, cheap);
  assert.is.not(a, b);
  assert.match(a, /^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  assert.not.match(a, '2468');
});

it('right PIN accepted; wrong ones counted; locked after the last allowed failure, even for the right PIN; open again after the lock', () => {
  const clock = new ManualClock(1_000_000);
  const pin = new TechnicianPin({ clock, log: testLog() }, { hash: hashPin('2468', undefined, cheap), maxFailures: 3, lockMs: 60_000 });
  assert.equal(pin.check('2468'), { ok: true });
  assert.equal(pin.check('1111'), { ok: false, reason: 'wrong', failuresLeft: 2 });
  assert.equal(pin.check('2222'), { ok: false, reason: 'wrong', failuresLeft: 1 });
  assert.equal(pin.check('3333'), { ok: false, reason: 'locked', retryInMs: 60_000 });
  clock.set(1_030_000);
  assert.equal(pin.check('2468'), { ok: false, reason: 'locked', retryInMs: 30_000 }, 'the right PIN during the lock');
  clock.set(1_060_000);
  assert.equal(pin.check('2468'), { ok: true });
  assert.equal(pin.describe(), { locked: false, accepted: 2, wrong: 3, refusedLocked: 1, lockouts: 1 });
});

it('a malformed stored hash is refused at start', () => {
  assert.throws(() => new TechnicianPin({ clock: new ManualClock(0), log: testLog() }, { hash: '2468', maxFailures: 3, lockMs: 1000 }), /scrypt/);
});

it('the cloud\'s profile may carry the PIN as its hash, never the PIN itself (issue 12 §4)', () => {
  const base = JSON.parse(readFileSync('device-config/demo.json', 'utf8')) as Record<string, unknown>;
  const hash = hashPin('8642', undefined, cheap);
  const profile = { security: { technicianPin: hash } };
  assert.equal(profileKeyProblems(profile), []);
  assert.is(parseConfig(JSON.stringify(overlayProfile(base, profile)), 'profile').security.technicianPin, hash);
  assert.throws(() => parseConfig(JSON.stringify(overlayProfile(base, { security: { technicianPin: '8642' } })), 'profile'), /security\.technicianPin/, 'a bare PIN is refused by the schema');
});

it('the demo config carries the hash of the demo PIN 1234 (README)', () => {
  const demo = parseConfig(readFileSync('device-config/demo.json', 'utf8'), 'demo');
  const pin = new TechnicianPin({ clock: new ManualClock(0), log: testLog() }, { hash: demo.security.technicianPin!, maxFailures: 5, lockMs: 1000 });
  assert.equal(pin.check('1234'), { ok: true });
});

it.run();
