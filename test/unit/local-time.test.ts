/**
 * The fixed offsets of firmware/core/local-time.ts against the IANA database as this Node's
 * ICU carries it (Intl): every zone of the table, every 25 hours (so every hour of the day comes round) from FIXED_SINCE_MS to the
 * end of 2031, and the instants around it, where the fallback to Intl must take over.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { atolDateTime, FIXED_SINCE_MS, isKnownTimeZone, localTimeIn, ZONE_HOURS } from '../../firmware/core/local-time.ts';

const test = suite('local time (fixed offsets of Russia)');
const HOUR = 3_600_000;

const formats = new Map<string, Intl.DateTimeFormat>();

function byIntl(timeZone: string, utcMs: number): number {
  const f = formats.get(timeZone) ?? new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  formats.set(timeZone, f);
  const p: Record<string, number> = {};
  for (const x of f.formatToParts(new Date(utcMs))) if (x.type !== 'literal') p[x.type] = Number(x.value);
  return Date.UTC(p['year'] ?? 0, (p['month'] ?? 1) - 1, p['day'] ?? 1, p['hour'] ?? 0, p['minute'] ?? 0, p['second'] ?? 0) / 1000;
}

test('every zone of the table agrees with the tz database from FIXED_SINCE_MS to 2032', () => {
  for (const zone of Object.keys(ZONE_HOURS)) {
    const local = localTimeIn(zone);
    for (let t = FIXED_SINCE_MS; t < Date.UTC(2032, 0, 1); t += 25 * HOUR + 1234) assert.is(local.toLocalSeconds(t), byIntl(zone, t), `${zone} at ${new Date(t).toISOString()}`);
  }
});

test('before FIXED_SINCE_MS, Intl answers: Volgograd was UTC+4 until 27.12.2020 02:00 local', () => {
  const volgograd = localTimeIn('Europe/Volgograd');
  const before = FIXED_SINCE_MS - 1000;
  assert.is(volgograd.toLocalSeconds(before), byIntl('Europe/Volgograd', before));
  assert.is(atolDateTime(volgograd.toLocalSeconds(before)), '27.12.2020 01:59:59');
  assert.is(atolDateTime(volgograd.toLocalSeconds(FIXED_SINCE_MS)), '27.12.2020 01:00:00');
  assert.is(atolDateTime(localTimeIn('Europe/Moscow').toLocalSeconds(Date.UTC(2014, 0, 1, 12))), '01.01.2014 16:00:00', 'UTC+4 before 26.10.2014');
});

test('a zone outside the table keeps time through Intl, DST included', () => {
  const berlin = localTimeIn('Europe/Berlin');
  assert.is(atolDateTime(berlin.toLocalSeconds(Date.UTC(2026, 6, 1, 12))), '01.07.2026 14:00:00');
  assert.is(atolDateTime(berlin.toLocalSeconds(Date.UTC(2026, 0, 1, 12))), '01.01.2026 13:00:00');
});

test('known zones: the table, any zone Intl knows; not a made-up one', () => {
  assert.ok(isKnownTimeZone('Europe/Moscow'));
  assert.ok(isKnownTimeZone('America/New_York'));
  assert.not.ok(isKnownTimeZone('Europe/Atlantis'));
});

test.run();
