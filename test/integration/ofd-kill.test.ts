/**
 * Issue 5 acceptance: the runtime SIGKILLed at random points of OFD exchanges, 20 times →
 * every document ends confirmed exactly once in the FN. The FN emulator is its own process
 * on a socat pty; the OFD emulator answers slowly so kills land inside exchanges.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OfdEmulator } from '../../drivers/ofd/emulator/ofd-emulator.ts';
import { TEST_OPERATOR_KEY } from '../../drivers/ofd/operator-sign.ts';
import { systemClock } from '../../firmware/core/clock.ts';
import { removeDir } from '../helpers/app-rig.ts';
import { connectCloud } from '../helpers/cloud.ts';
import { OFD_INN } from '../helpers/fiscal-fixtures.ts';
import { FN_NUMBER, testLog } from '../helpers/fn-rig.ts';
import { startMosquitto } from '../helpers/mosquitto.ts';
import { registerProcesses } from '../helpers/register-processes.ts';
import { pollUntil } from '../helpers/poll.ts';
import { seededRandom } from '../helpers/seeded-random.ts';

const base = JSON.parse(readFileSync('device-config/samples/sell-atol.json', 'utf8')) as Record<string, unknown>;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('20 SIGKILLs of the runtime in the middle of OFD exchanges: every document confirmed exactly once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-ofdkill-'));
  const broker = await startMosquitto();
  const ofd = new OfdEmulator({ clock: systemClock(), log: testLog() }, { ofdInn: OFD_INN, operatorKey: TEST_OPERATOR_KEY }, { down: true });
  const port = await ofd.listen(0);
  const reg = await registerProcesses(dir, broker.url, { ofdPort: port });
  const cloud = await connectCloud(broker.url, reg.prefix);
  try {
    await reg.startFn();
    reg.startRuntime();
    await cloud.online();
    const ids = Array.from({ length: 60 }, (_, i) => `ofdkill-${i}`);
    for (const id of ids) await cloud.publish(JSON.stringify({ ...base, id }));
    await cloud.allFinal(ids, 60_000);

    ofd.faults.down = false;
    ofd.faults.slowMs = 150; // each exchange takes a while: kills land inside them
    const random = seededRandom('OFD kills: moments');
    let midExchange = 0;
    for (let kill = 0; kill < 20; kill++) {
      // Each life starts sending (its start-up takes 0.7 s, or seconds on a loaded machine),
      // sends a few documents, and dies at a random moment of that.
      const connections = ofd.counters.connections;
      await pollUntil(() => ofd.counters.connections > connections, { timeoutMs: 30_000, intervalMs: 20, what: 'the restarted runtime to reach the OFD' });
      await sleep(random.between(0, 800));
      if (ofd.inFlight > 0) midExchange++;
      await reg.killRuntime('SIGKILL');
      reg.startRuntime();
    }
    ofd.faults.slowMs = 0;
    // The last receipt's FD number (from the results) is the count of documents to deliver.
    const lastFd = Math.max(...ids.map((id) => cloud.results.get(id)?.find((r) => r.status === 'done')?.payload?.fiscal_document_number ?? 0));
    await pollUntil(() => new Set(ofd.documents.map((d) => d.fd)).size >= lastFd, { timeoutMs: 120_000, intervalMs: 200, what: `the OFD to hold all ${lastFd} documents` });
    await sleep(1500);
    await reg.killRuntime('SIGTERM');
    await reg.killFn();
    const docs = reg.fnDocuments();
    const acks = reg.fnAcks();
    assert.equal(acks, docs.map((d) => d.fd).sort((a, b) => a - b), 'the FN holds one OFD receipt for every document');
    const received = new Set(ofd.documents.filter((d) => d.fnNumber === FN_NUMBER).map((d) => d.fd));
    assert.equal([...received].sort((a, b) => a - b), acks, 'the OFD has every document');
    // A document re-sent after a kill is harmless: the OFD saw it twice, the FN confirmed it once.
    assert.ok(ofd.counters.confirmed >= acks.length);
    assert.ok(midExchange >= 5, `kills that landed inside an OFD exchange: ${midExchange} of 20`);
  } finally {
    await cloud.close();
    await reg.close();
    await ofd.close();
    await broker.close();
    removeDir(dir);
  }
});

test.run();
