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
import { pollUntil } from '../helpers/poll.ts';
import { startTlsMosquitto, type TlsMosquitto } from '../helpers/tls-mosquitto.ts';

const it = suite<{ broker?: TlsMosquitto; rig?: AppRig }>('broker TLS, client certificates and ACL (mosquitto)', {});

const connectAs = (url: string, tls: CloudTls, clientId: string): Promise<MqttClient> =>
  mqtt.connectAsync(url, { clientId, protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5000, ...tlsOptions(tls) });

interface Sent {
  readonly from: MqttClient;
  readonly topic: string;
  readonly payload: string;
}

/**
 * What `listener` hears on `watched` of `first` before `marker`, sent after it, arrives: the
 * proof that a forbidden message did not come, without waiting "long enough". Each is sent
 * with QoS 1 and its PUBACK awaited (a refused one is the point, so its error is let go), and
 * mosquitto routes a publish to every subscriber's queue before it acknowledges it, then
 * writes each client's queue in order (MQTT 3.1.1 §4.6 asks that much for one topic; one
 * single-threaded broker gives it across topics). So once the marker is in, anything `first`
 * let through is in too. The marker itself is left out of the answer.
 */
async function heardBefore(listener: MqttClient, watched: string, first: Sent, marker: Sent): Promise<string[]> {
  const got: string[] = [];
  let markerIn = false;
  listener.on('message', (t, m) => {
    if (t === marker.topic && m.toString() === marker.payload) markerIn = true;
    else if (t === watched) got.push(m.toString());
  });
  await listener.subscribeAsync(watched, { qos: 1 }).catch(() => undefined);
  await listener.subscribeAsync(marker.topic, { qos: 1 });
  await first.from.publishAsync(first.topic, first.payload, { qos: 1 }).catch(() => undefined);
  await marker.from.publishAsync(marker.topic, marker.payload, { qos: 1 });
  await pollUntil(() => markerIn, { timeoutMs: 10_000, intervalMs: 20, what: `the marker "${marker.payload}" on ${marker.topic}` });
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
    // The cloud sends B a job: B gets it, A (subscribed to B's jobs topic) does not; the
    // cloud's next message, a job for A, marks the point by which it would have come.
    const bGot: string[] = [];
    bReg.on('message', (t, m) => void (t === 'kassa/kassa-b/jobs' && bGot.push(m.toString())));
    await bReg.subscribeAsync('kassa/kassa-b/jobs', { qos: 1 });
    const aGot = await heardBefore(a, 'kassa/kassa-b/jobs', { from: cloud, topic: 'kassa/kassa-b/jobs', payload: 'job-for-b' }, { from: cloud, topic: 'kassa/kassa-a/jobs', payload: 'job-for-a' });
    await pollUntil(() => bGot.includes('job-for-b'), { timeoutMs: 10_000, intervalMs: 20, what: 'B to receive its job' });
    assert.equal(bGot, ['job-for-b'], 'B receives its job (the message did go out)');
    assert.equal(aGot, [], 'A cannot read B’s jobs');
    // A publishes a result as B, then its own: the cloud gets its own (the marker), never B's.
    const cloudGotB = await heardBefore(cloud, 'kassa/kassa-b/results', { from: a, topic: 'kassa/kassa-b/results', payload: 'forged-result' }, { from: a, topic: 'kassa/kassa-a/results', payload: 'own-result' });
    assert.equal(cloudGotB, [], 'A cannot publish B’s results (and its own did arrive)');
    // Nor may A write jobs: B hears the cloud's job sent after A's attempt, and nothing before it.
    const aJobs = await heardBefore(bReg, 'kassa/kassa-b/jobs', { from: a, topic: 'kassa/kassa-b/jobs', payload: 'job-from-a' }, { from: cloud, topic: 'kassa/kassa-b/jobs', payload: 'job-after-a' });
    assert.equal(aJobs, [], 'A cannot send B jobs');
  } finally {
    await Promise.all([cloud.endAsync(), a.endAsync(), bReg.endAsync()]);
  }
});

it('a register asks for its own firmware chunks and gets them; never another register’s', async (ctx) => {
  const b = ctx.broker!;
  const [cloudTls, aTls, bTls] = await Promise.all([b.client('cloud'), b.client('kassa-a'), b.client('kassa-b')]);
  const cloud = await connectAs(b.url, cloudTls, 'cloud-acl-update');
  const a = await connectAs(b.url, aTls, 'kassa-kassa-a-update');
  const bReg = await connectAs(b.url, bTls, 'kassa-kassa-b-update');
  try {
    // A's chunk request reaches the cloud (update-wing.ts publishes it on <prefix>/update/request).
    const requests: string[] = [];
    cloud.on('message', (t, m) => void (t === 'kassa/kassa-a/update/request' && requests.push(m.toString())));
    await cloud.subscribeAsync('kassa/kassa-a/update/request', { qos: 1 });
    await a.publishAsync('kassa/kassa-a/update/request', 'chunk 0', { qos: 1 });
    await pollUntil(() => requests.includes('chunk 0'), { timeoutMs: 10_000, intervalMs: 20, what: 'the cloud to hear A’s chunk request' });
    // The chunk the cloud sends A arrives; B, listening on A's chunks, hears nothing before A's next one.
    const aGot: string[] = [];
    a.on('message', (t, m) => void (t === 'kassa/kassa-a/update/chunk' && aGot.push(m.toString())));
    await a.subscribeAsync('kassa/kassa-a/update/chunk', { qos: 1 });
    const bHeard = await heardBefore(bReg, 'kassa/kassa-a/update/chunk', { from: cloud, topic: 'kassa/kassa-a/update/chunk', payload: 'chunk-for-a' }, { from: cloud, topic: 'kassa/kassa-b/update/chunk', payload: 'chunk-for-b' });
    await pollUntil(() => aGot.includes('chunk-for-a'), { timeoutMs: 10_000, intervalMs: 20, what: 'A to receive its chunk' });
    assert.equal(bHeard, [], 'B cannot read A’s chunks');
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
