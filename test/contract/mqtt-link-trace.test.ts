/**
 * The MQTT link's log (mqtt-link.ts): MQTT.js's own trace, which writes out whole packets,
 * never reaches the register's log, at any level: the CONNECT it sends carries the broker's
 * password, and the debug console shows the log to anyone at the serial line.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Socket } from 'node:net';
import { ManualClock } from '../../firmware/core/clock.ts';
import { createLog } from '../../firmware/core/log.ts';
import { MqttLink } from '../../firmware/jobs/mqtt-link.ts';

const it = suite('MQTT link trace');
const PASSWORD = 'S3cr3t-broker-pw';

it('at debug level, a CONNECT sent with a password leaves no trace of it in the log', async () => {
  // A TCP server that takes the CONNECT and never answers: MQTT.js has then written the packet.
  const sockets: Socket[] = [];
  let received = Buffer.alloc(0);
  let gotConnect: () => void = () => {};
  const connectSent = new Promise<void>((resolve) => (gotConnect = resolve));
  const server = createServer((s) => {
    sockets.push(s);
    s.on('data', (d: Buffer) => {
      received = Buffer.concat([received, d]);
      if (received.includes(PASSWORD)) gotConnect();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const lines: string[] = [];
  const link = new MqttLink(
    { log: createLog({ level: 'debug', write: (l) => lines.push(l) }), clock: new ManualClock(Date.UTC(2026, 10, 30, 12, 0)), random: () => 0.5 },
    { url: `mqtt://127.0.0.1:${port}`, username: 'kassa-user', password: PASSWORD, clientId: 'trace-test', protocolVersion: 5, keepaliveSeconds: 30, sessionExpirySeconds: 60, reconnectMinMs: 1000, reconnectMaxMs: 1000, subscriptions: ['x'], will: { topic: 'w', payload: 'offline' } },
  );
  try {
    link.start(async () => {});
    await connectSent;
    assert.ok(received.includes(PASSWORD), 'the CONNECT went out with the password');
    assert.not.ok(lines.some((l) => l.includes(PASSWORD)), lines.filter((l) => l.includes(PASSWORD)).join('\n'));
    assert.not.ok(lines.some((l) => l.includes('_writePacket')), 'no MQTT.js trace line');
  } finally {
    for (const s of sockets) s.destroy();
    await link.stop();
    await new Promise((resolve) => server.close(resolve));
  }
});

it.run();
