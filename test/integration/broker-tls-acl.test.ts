/**
 * Issue 12 §4 against a real mosquitto with TLS, `require_certificate`,
 * `use_identity_as_username` and the ACL shipped in device-config/: a register connects with
 * its client certificate and sells; register A can neither read B's jobs nor publish B's
 * results; a client without a certificate does not get in.
 */
import { readFileSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { tlsOptions, type CloudTls } from '../../firmware/cli/cloud-link.ts';
import { startAppRig, removeDir, type AppRig } from '../helpers/app-rig.ts';
import { connectCloud } from '../helpers/cloud.ts';
import { startTlsMosquitto, type TlsMosquitto } from '../helpers/tls-mosquitto.ts';

const it = suite<{ broker?: TlsMosquitto; rig?: AppRig }>('broker TLS, client certificates and ACL (mosquitto)', {});

const connectAs = (url: string, tls: CloudTls, clientId: string): Promise<MqttClient> =>
  mqtt.connectAsync(url, { clientId, protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5000, ...tlsOptions(tls) });

/** Messages `client` receives on `topic` while `act` runs and for `settleMs` after. */
async function received(client: MqttClient, topic: string, act: () => Promise<void>, settleMs = 700): Promise<string[]> {
  const got: string[] = [];
  client.on('message', (t, m) => void (t === topic && got.push(m.toString())));
  await client.subscribeAsync(topic, { qos: 1 }).catch(() => undefined);
  await act();
  await new Promise((r) => setTimeout(r, settleMs));
  return got;
}

it.before(async (ctx) => {
  ctx.broker = await startTlsMosquitto();
});

it.after(async (ctx) => {
  await ctx.rig?.stop();
  if (ctx.rig) removeDir(ctx.rig.dataDir);
  await ctx.broker?.close();
});

it('register A reads only its own jobs and writes only its own results', async (ctx) => {
  const b = ctx.broker!;
  const [cloudTls, aTls, bTls] = await Promise.all([b.client('cloud'), b.client('kassa-a'), b.client('kassa-b')]);
  const cloud = await connectAs(b.url, cloudTls, 'cloud-acl');
  const a = await connectAs(b.url, aTls, 'kassa-kassa-a');
  const bReg = await connectAs(b.url, bTls, 'kassa-kassa-b');
  try {
    // The cloud sends B a job: B gets it, A (subscribed to B's jobs topic) does not.
    const bGot: string[] = [];
    bReg.on('message', (t, m) => void (t === 'kassa/kassa-b/jobs' && bGot.push(m.toString())));
    await bReg.subscribeAsync('kassa/kassa-b/jobs', { qos: 1 });
    const aGot = await received(a, 'kassa/kassa-b/jobs', () => cloud.publishAsync('kassa/kassa-b/jobs', 'job-for-b', { qos: 1 }).then(() => undefined));
    assert.equal(bGot, ['job-for-b'], 'B receives its job (the message did go out)');
    assert.equal(aGot, [], 'A cannot read B’s jobs');
    // A publishes a result as B: the cloud never sees it; A's own result gets through.
    const cloudGotB = await received(cloud, 'kassa/kassa-b/results', () => a.publishAsync('kassa/kassa-b/results', 'forged-result', { qos: 1 }).then(() => undefined).catch(() => undefined));
    assert.equal(cloudGotB, [], 'A cannot publish B’s results');
    const cloudGotA = await received(cloud, 'kassa/kassa-a/results', () => a.publishAsync('kassa/kassa-a/results', 'own-result', { qos: 1 }).then(() => undefined));
    assert.equal(cloudGotA, ['own-result'], 'A publishes its own results');
    // Nor may A write jobs, even its own.
    const aJobs = await received(bReg, 'kassa/kassa-b/jobs', () => a.publishAsync('kassa/kassa-b/jobs', 'job-from-a', { qos: 1 }).then(() => undefined).catch(() => undefined));
    assert.equal(aJobs, [], 'A cannot send B jobs');
  } finally {
    await Promise.all([cloud.endAsync(), a.endAsync(), bReg.endAsync()]);
  }
});

it('a client without a certificate, or with one from another CA, is not let in', async (ctx) => {
  const b = ctx.broker!;
  await mqtt
    .connectAsync(b.url, { ca: readFileSync(b.caFile), reconnectPeriod: 0, connectTimeout: 3000 })
    .then((c) => (c.end(true), assert.unreachable('connected without a certificate')), () => undefined);
  const other = await startTlsMosquitto(); // a second CA, whose certificates this broker does not trust
  try {
    const stranger = await other.client('kassa-a');
    await connectAs(b.url, { ...stranger, caFile: b.caFile }, 'stranger').then((c) => (c.end(true), assert.unreachable('connected with a foreign certificate')), () => undefined);
  } finally {
    await other.close();
  }
});

it('the register connects with its client certificate (mqtt.broker.caFile/certFile/keyFile) and sells', async (ctx) => {
  const b = ctx.broker!;
  const reg = await b.client('kassa-tls');
  ctx.rig = await startAppRig(b.url, { deviceId: 'kassa-tls', mqtt: { broker: { kind: 'external', url: b.url, ...reg }, reconnectMinMs: 100, reconnectMaxMs: 1000 } });
  const cloudTls = await b.client('cloud');
  const { caFile, certFile, keyFile } = cloudTls;
  const cloud = await connectCloud(b.url, 'kassa/kassa-tls', 'cloud-sells', undefined, { ca: readFileSync(caFile), cert: readFileSync(certFile), key: readFileSync(keyFile) });
  try {
    await cloud.online();
    const job = { ...(JSON.parse(readFileSync('device-config/samples/sell-atol.json', 'utf8')) as object), id: 'tls-sell-1' };
    await cloud.publish(JSON.stringify(job));
    const r = await cloud.final('tls-sell-1');
    assert.is(r.status, 'done', JSON.stringify(r.error));
  } finally {
    await cloud.close();
  }
});

it.run();
