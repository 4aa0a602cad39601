import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { ConfigError, parseConfig } from '../../firmware/config/parse-config.ts';
import { makeRnm } from '../../firmware/fiscal/registration-numbers.ts';

const Config = suite('parse-config');

const demo = (): Record<string, any> => JSON.parse(readFileSync('device-config/demo.json', 'utf8')) as Record<string, any>;

function problems(config: unknown): { path: string; message: string }[] {
  try {
    parseConfig(typeof config === 'string' ? config : JSON.stringify(config));
  } catch (e) {
    assert.instance(e, ConfigError);
    return [...(e as ConfigError).problems];
  }
  assert.unreachable('the config should have been refused');
  return [];
}

Config('a broker or claim URL with a user name or password in it is refused: credentials have their own, masked keys', () => {
  const c = demo();
  c.mqtt.broker = { kind: 'external', url: 'mqtt://kassa:BrokerPassw0rd@127.0.0.1:1883' };
  assert.equal(problems(c), [{ path: 'mqtt.broker.url', message: 'carries a user name or password: give them as the username and password keys beside it (a URL is shown in the log and the status)' }]);
  c.mqtt.broker = { kind: 'external', url: 'mqtts://kassa@broker.example.ru:8883' };
  assert.equal(problems(c).map((p) => p.path), ['mqtt.broker.url']);
  c.mqtt.broker = { kind: 'external', url: 'mqtts://broker.example.ru:8883', username: 'kassa', password: 'BrokerPassw0rd' };
  assert.is(parseConfig(JSON.stringify(c)).mqtt.broker.kind, 'external');
});

Config('demo.json and production.example.json parse', () => {
  const d = parseConfig(readFileSync('device-config/demo.json', 'utf8'));
  assert.is(d.fn.kind, 'emulator');
  assert.is(d.mqtt.broker.kind, 'embedded');
  const p = parseConfig(readFileSync('device-config/production.example.json', 'utf8'));
  assert.is(p.fn.kind, 'serial');
  assert.is(p.mqtt.protocolVersion, 5);
});

Config('defaults are filled in, union members included', () => {
  const c = parseConfig(JSON.stringify({ version: 1, deviceId: 'k1', registration: { inn: '7707083893', kktSerial: '1', address: 'a', taxSystems: ['osn'], ofdInn: '7704211201' } }));
  assert.is(c.timeZone, 'Europe/Moscow');
  assert.equal(c.fn, { kind: 'emulator', fnNumber: '9999078900005488', secret: 'demo-fn-secret', checkTimer: true });
  assert.equal(c.mqtt.broker, { kind: 'embedded', host: '127.0.0.1', port: 1883 });
  assert.is(c.mqtt.clientId, 'kassa-k1');
  assert.is(c.mqtt.topicPrefix, 'kassa/k1');
  assert.is(c.registration.ffd, '1.2');
  assert.is(c.registration.rnm.length, 16, 'the emulator gets an RNM made from ordinal 1');
  assert.is(c.shift.closeAt, '23:55');
  assert.is(c.journal.keepDays, 90);
  const serial = parseConfig(JSON.stringify({ ...demo(), fn: { kind: 'serial', path: '/dev/ttyS1' }, registration: { ...demo()['registration'], rnm: makeRnm('1', '7707083893', '00000000381001234567') } }));
  assert.equal(serial.fn, { kind: 'serial', path: '/dev/ttyS1', baudRate: 115200, timeoutMs: 5000, longTimeoutMs: 30000, enqRetries: 3 });
});

Config('every problem is reported with its path, at once', () => {
  const c = demo();
  c['deviceId'] = 'has space';
  c['fn'] = { kind: 'serial', baudRate: '115200' };
  c['registration']['taxSystems'] = ['osn', 'vat'];
  c['registration']['bogus'] = 1;
  c['mqtt']['keepaliveSeconds'] = 1;
  const p = problems(c);
  const paths = p.map((x) => x.path);
  for (const path of ['deviceId', 'fn.path', 'fn.baudRate', 'registration.taxSystems[1]', 'registration.bogus', 'mqtt.keepaliveSeconds']) assert.ok(paths.includes(path), `${path} in ${JSON.stringify(p)}`);
});

Config('nothing is coerced: a string is not a number', () => {
  const c = demo();
  c['mqtt']['broker']['port'] = '1883';
  assert.equal(problems(c).map((x) => x.path), ['mqtt.broker.port']);
});

Config('check digits and the time zone are checked beyond the schema', () => {
  const c = demo();
  c['registration']['inn'] = '7707083894';
  c['registration']['rnm'] = '0000000001000000';
  c['timeZone'] = 'Europe/Atlantis';
  c['cashier']['inn'] = '500100732250';
  const paths = problems(c).map((x) => x.path);
  assert.equal(paths.sort(), ['cashier.inn', 'registration.inn', 'registration.rnm', 'timeZone']);
});

Config('a real FN needs the RNM the FNS issued', () => {
  const c = demo();
  c['fn'] = { kind: 'serial', path: '/dev/ttyS1' };
  assert.equal(problems(c).map((x) => x.path), ['registration.rnm']);
});

Config('localApi (issue 13): off, on loopback and on the ATOL web server port by default; a token beyond loopback', () => {
  const d = parseConfig(JSON.stringify({ version: 1, deviceId: 'k1', registration: { inn: '7707083893', kktSerial: '1', address: 'a', taxSystems: ['osn'], ofdInn: '7704211201' } }));
  assert.equal(d.localApi, { enabled: false, host: '127.0.0.1', port: 16732 });
  assert.equal(parseConfig(JSON.stringify(demo())).localApi, { enabled: true, host: '127.0.0.1', port: 16732 }, 'the demo turns it on, on loopback');
  const c = demo();
  c['localApi'] = { enabled: true, host: '0.0.0.0' };
  assert.equal(problems(c), [{ path: 'localApi.token', message: 'is required when localApi.host (0.0.0.0) is not a loopback address' }]);
  c['localApi'] = { enabled: true, host: '0.0.0.0', token: 'short', port: 70000, extra: 1 };
  assert.equal(problems(c).map((x) => x.path).sort(), ['localApi.extra', 'localApi.port', 'localApi.token']);
  c['localApi'] = { enabled: true, host: '0.0.0.0', token: 'a-token-of-16-characters-or-more' };
  assert.is(parseConfig(JSON.stringify(c)).localApi.token, 'a-token-of-16-characters-or-more');
  c['localApi'] = { enabled: true, host: '127.0.0.2' };
  assert.is(parseConfig(JSON.stringify(c)).localApi.host, '127.0.0.2', 'loopback needs no token');
});

Config('not JSON, and an unknown version', () => {
  assert.equal(problems('{ nope').map((x) => x.path), ['']);
  const c = demo();
  c['version'] = 2;
  assert.equal(problems(c).map((x) => x.path), ['version']);
});

Config.run();
