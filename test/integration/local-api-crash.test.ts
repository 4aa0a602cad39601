/**
 * Issue 13 §3: both sources interleaved under load — the cloud over a real mosquitto and a
 * retail program over HTTP — while the runtime is SIGKILLed on a seeded random schedule
 * (the seed is printed; KASSA_TEST_SEED=<n> replays it). The FN emulator runs as its own process
 * on a pty and survives the kills. Every cloud job and every task of every local request
 * must end with exactly one fiscal document and a final answer: on the results topic for
 * all of them, and over HTTP for the local ones.
 *
 * Each receipt has a unique total, so the FN's archive tells whose it is.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeDir } from '../helpers/app-rig.ts';
import { connectCloud } from '../helpers/cloud.ts';
import { freePort, localClient, startServing } from '../helpers/local-client.ts';
import { startMosquitto } from '../helpers/mosquitto.ts';
import { seededRandom } from '../helpers/seeded-random.ts';
import { receiptFdsByTotal, registerProcesses } from '../helpers/register-processes.ts';

const CLOUD_JOBS = 60;
const LOCAL_REQUESTS = 30;
const base = JSON.parse(readFileSync('device-config/samples/sell-atol.json', 'utf8')) as { receipt: Record<string, unknown> } & Record<string, unknown>;

function cloudJob(i: number): { id: string; payload: string; kopecks: number } {
  const kopecks = 100 + i;
  const rub = kopecks / 100;
  const id = `mixed-${String(i).padStart(3, '0')}`;
  const receipt = { ...base.receipt, items: [{ name: `Товар ${i}`, price: rub, quantity: 1, sum: rub, measure: 0, payment_method: 'full_payment', payment_object: 1, vat: { type: 'vat20' } }], payments: [{ type: 1, sum: rub }], total: rub };
  delete (receipt as Record<string, unknown>)['vats'];
  return { id, payload: JSON.stringify({ ...base, id, receipt }), kopecks };
}

/** Local request r: 1–3 sell tasks, each of a total no other receipt has. */
function localRequest(r: number, random: () => number): { uuid: string; tasks: Record<string, unknown>[]; kopecks: number[] } {
  const n = 1 + Math.floor(random() * 3);
  const kopecks = Array.from({ length: n }, (_, k) => 50_000 + r * 10 + k);
  const tasks = kopecks.map((c) => {
    const rub = c / 100;
    return { type: 'sell', taxationType: 'osn', items: [{ type: 'position', name: `Касса ${c}`, price: rub, quantity: 1, amount: rub, paymentMethod: 'fullPayment', tax: { type: 'vat10' } }], payments: [{ type: 'cash', sum: Math.ceil(rub) }], total: rub };
  });
  return { uuid: `pos-${String(r).padStart(3, '0')}`, tasks, kopecks };
}

test(`${CLOUD_JOBS} cloud jobs and ${LOCAL_REQUESTS} local requests interleaved, the runtime SIGKILLed at random (≥ 10 kills)`, async () => {
  const { seed, next: random, between } = seededRandom('local-api-crash: kill moments and interleaving');
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  const dir = mkdtempSync(join(tmpdir(), 'kassa-mixed-'));
  const broker = await startMosquitto();
  const port = await freePort();
  const reg = await registerProcesses(dir, broker.url, { fnDelayMs: 5, localApiPort: port });
  const cloud = await connectCloud(broker.url, reg.prefix);
  const api = localClient(`http://127.0.0.1:${port}`);
  const jobs = Array.from({ length: CLOUD_JOBS }, (_, i) => cloudJob(i));
  const requests = Array.from({ length: LOCAL_REQUESTS }, (_, r) => localRequest(r, random));
  // The schedule is drawn up front, so the seed alone replays it.
  const cloudGaps = jobs.map(() => between(5, 60));
  const localGaps = requests.map(() => between(20, 120));
  const killGaps = Array.from({ length: 200 }, () => between(400, 1100));
  try {
    await reg.startFn();
    await startServing(reg, api);
    await cloud.online();
    let cloudDone = false;
    let localDone = false;
    let failure: unknown;
    const answers: number[] = [];
    const cloudSide = (async () => {
      for (const [i, j] of jobs.entries()) {
        await cloud.publish(j.payload);
        await sleep(cloudGaps[i] ?? 10);
      }
      cloudDone = true;
    })().catch((e: unknown) => void (failure = e));
    const localSide = (async () => {
      for (const [i, r] of requests.entries()) {
        // A retail program repeats its POST until the register answers; the uuid makes it safe.
        answers.push((await api.postUntilTaken(r.uuid, r.tasks, 120_000)).status);
        await sleep(localGaps[i] ?? 10);
      }
      localDone = true;
    })().catch((e: unknown) => void (failure = e));
    let kills = 0;
    while ((!cloudDone || !localDone || kills < 10) && failure === undefined) {
      // Each life gets to serve before its death: on a loaded machine the start alone takes
      // seconds, and killing sooner would only ever kill the start.
      await api.serving(60_000);
      await sleep(killGaps[kills % killGaps.length] ?? 500);
      await reg.killRuntime('SIGKILL');
      reg.startRuntime();
      kills++;
    }
    await Promise.all([cloudSide, localSide]);
    if (failure !== undefined) throw failure;
    assert.ok(answers.every((s) => s === 201 || s === 200), `every POST was taken: ${answers.join(',')}`);

    // Final answers: HTTP for the local requests, the results topic for everything.
    const localStates = new Map<string, { status: string; fd: number | undefined }[]>();
    for (const r of requests) {
      const states = await api.final(r.uuid, 180_000);
      localStates.set(
        r.uuid,
        states.map((s) => ({ status: s.status, fd: s.result?.['fiscalParams']?.fiscalDocumentNumber as number | undefined })),
      );
    }
    const localIds = requests.flatMap((r) => r.tasks.map((_t, k) => `local:${r.uuid}/${k}`));
    await cloud.allFinal([...jobs.map((j) => j.id), ...localIds], 180_000);

    await reg.killRuntime('SIGTERM');
    await reg.killFn();
    const documents = reg.fnDocuments();
    const receipts = documents.filter((d) => d.fdType === 3);
    const byTotal = receiptFdsByTotal(documents);
    const problems: string[] = [];
    for (const j of jobs) {
      const fds = byTotal.get(j.kopecks) ?? [];
      if (fds.length !== 1) problems.push(`${j.id}: ${fds.length} documents`);
      const finals = (cloud.results.get(j.id) ?? []).filter((r) => r.status === 'done' || r.status === 'fail');
      if (!finals.every((r) => r.status === 'done' && r.payload?.fiscal_document_number === fds[0] && r.source === undefined)) problems.push(`${j.id}: finals ${JSON.stringify(finals.map((r) => [r.status, r.payload?.fiscal_document_number]))}`);
    }
    for (const r of requests) {
      const states = localStates.get(r.uuid) ?? [];
      for (const [k, kopecks] of r.kopecks.entries()) {
        const fds = byTotal.get(kopecks) ?? [];
        const id = `local:${r.uuid}/${k}`;
        if (fds.length !== 1) problems.push(`${id}: ${fds.length} documents`);
        if (states[k]?.status !== 'ready' || states[k]?.fd !== fds[0]) problems.push(`${id}: HTTP says ${JSON.stringify(states[k])}, FN has ${fds.join(',')}`);
        const finals = (cloud.results.get(id) ?? []).filter((x) => x.status === 'done' || x.status === 'fail');
        if (!finals.every((x) => x.status === 'done' && x.source === 'local' && x.payload?.fiscal_document_number === fds[0])) problems.push(`${id}: cloud finals ${JSON.stringify(finals.map((x) => [x.status, x.source, x.payload?.fiscal_document_number]))}`);
      }
    }
    assert.equal(problems, [], `seed ${seed}`);
    assert.is(receipts.length, jobs.length + localIds.length, 'one receipt per job and per local task, nothing else');
    console.log(`  local-api-crash: ${kills} kills, ${jobs.length} cloud jobs and ${localIds.length} local tasks in ${requests.length} requests, each one document; ${api.stats.postFailures} POSTs went unanswered and were repeated (${api.stats.postsCutOff} of them cut off by a kill while the register took them), ${answers.filter((a) => a === 200).length} repeats found their request already whole`);
  } finally {
    await cloud.close();
    await reg.close();
    await broker.close();
    removeDir(dir);
  }
});

test.run();
