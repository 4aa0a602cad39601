/** The cloud's small settings (provisioning/settings-command.ts): parsed, not cast; every problem said. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseSettings } from '../../firmware/provisioning/settings-command.ts';

test('a cashier with an INN and a closing time, or null to close by the 24-hour rule only', () => {
  assert.equal(parseSettings({ cashier: { name: 'Петрова Анна', inn: '500100732259' }, closeAt: '23:30' }), { ok: true, value: { cashier: { name: 'Петрова Анна', inn: '500100732259' }, closeAt: '23:30' } });
  assert.equal(parseSettings({ closeAt: null }), { ok: true, value: { closeAt: null } });
  assert.equal(parseSettings({}), { ok: true, value: {} });
});

test('every problem is said, and nothing else is taken from the message', () => {
  assert.equal(parseSettings({ cashier: { name: 'Петрова Анна', inn: 500100732259 }, closeAt: '24:00' }), {
    ok: false,
    problems: ['cashier: {"name": string, "inn"?: string} expected', 'closeAt: "HH:MM" or null expected'],
  });
  assert.equal(parseSettings({ cashier: 'Петрова' }), { ok: false, problems: ['cashier: {"name": string, "inn"?: string} expected'] });
  // Unknown keys carry nothing into the settings.
  assert.equal(parseSettings({ cashier: { name: 'Петрова Анна', role: 'admin' } }), { ok: true, value: { cashier: { name: 'Петрова Анна' } } });
});

test.run();
