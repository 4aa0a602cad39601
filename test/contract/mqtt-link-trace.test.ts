/**
 * The MQTT link's log (mqtt-link.ts): MQTT.js's own trace goes into the register's log at
 * debug level, under `mqtt:mqtt.js`, and nowhere at any other level.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../firmware/core/clock.ts';
import { createLog, type LogLevel } from '../../firmware/core/log.ts';
import { MqttLink } from '../../firmware/jobs/mqtt-link.ts';

const it = suite('MQTT link trace');

/** The lines a link writes while it starts (towards a port nobody listens on) and stops. */
async function linesAt(level: LogLevel): Promise<string[]> {
  const lines: string[] = [];
  const clock = new ManualClock(Date.UTC(2026, 10, 30, 12, 0));
  const link = new MqttLink(
    { log: createLog({ level, write: (l) => lines.push(l) }), clock, random: () => 0.5 },
    { url: 'mqtt://127.0.0.1:9', clientId: 'trace-test', protocolVersion: 5, keepaliveSeconds: 30, sessionExpirySeconds: 60, reconnectMinMs: 1000, reconnectMaxMs: 1000, subscriptions: ['x'], will: { topic: 'w', payload: 'offline' } },
  );
  link.start(async () => {});
  await link.stop();
  return lines;
}

it("MQTT.js's trace lines at debug level, under mqtt:mqtt.js", async () => {
  const trace = (await linesAt('debug')).filter((l) => l.includes('[kassa:mqtt:mqtt.js]'));
  assert.ok(trace.length > 0, 'no MQTT.js trace at debug level');
  assert.ok(trace.some((l) => /DEBUG .*connect/.test(l)), trace.join('\n'));
});

it('none at info level', async () => {
  const lines = await linesAt('info');
  assert.not.ok(lines.some((l) => l.includes('mqtt.js')), lines.join('\n'));
});

it.run();
