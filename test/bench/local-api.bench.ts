/**
 * Issue 13 figures: local receipts per minute while cloud jobs share the register, with the
 * device timings of the printing bench (the FN 300 ms to sign a document, the printer
 * 150 mm/s). Local requests come over HTTP (node's fetch, the ATOL web server contract) and
 * are polled as a retail program polls; cloud jobs go straight into the intake (the MQTT hop
 * is measured in the jobs bench). Both are journaled on disk with fsync, through one
 * intake, one pipeline and one FN.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryPortPair } from '../../drivers/memory-port.ts';
import { PrinterEmulator } from '../../drivers/printer/emulator/printer-emulator.ts';
import { PrinterDriver } from '../../drivers/printer/printer-driver.ts';
import { systemClock } from '../../firmware/core/clock.ts';
import { localTimeIn } from '../../firmware/core/local-time.ts';
import { silentLog } from '../../firmware/core/log.ts';
import { parseConfig } from '../../firmware/config/parse-config.ts';
import { JobIntake } from '../../firmware/jobs/job-intake.ts';
import { JobLedger, sourceOf, type LedgerRecord } from '../../firmware/jobs/job-ledger.ts';
import { FINAL_STATUSES } from '../../firmware/jobs/job-result.ts';
import { Journal } from '../../firmware/journal/journal.ts';
import { LocalApiServer } from '../../firmware/local-api/local-api-server.ts';
import { LocalRequests } from '../../firmware/local-api/local-requests.ts';
import { FiscalPipeline } from '../../firmware/pipeline/fiscal-pipeline.ts';
import { registerFn } from '../../drivers/fn/fn-documents.ts';
import { ShiftKeeper } from '../../firmware/pipeline/shift-keeper.ts';
import { EscPosPrinter } from '../../firmware/print/escpos-printer.ts';
import { registration as fnRegistration } from '../helpers/fiscal-fixtures.ts';
import { fnRig, T0 } from '../helpers/fn-rig.ts';
import { HandSetClock } from '../helpers/hand-set-clock.ts'; // the FN signs in real time here
import { localClient } from '../helpers/local-client.ts';
import { percentile, printFigures, type Figure } from './bench-kit.ts';

const FN_SIGN_MS = 300;
const PAPER_MM_S = 150;
const EACH = 12;

export async function localApiBench(): Promise<Figure[]> {
  const config = parseConfig(readFileSync('device-config/demo.json', 'utf8'));
  const reg = config.registration;
  const ctx = { deviceId: 'bench', ffd: reg.ffd, inn: reg.inn, address: reg.address, ...(reg.place !== undefined ? { place: reg.place } : {}), taxSystems: reg.taxSystems, seller: { fnsSite: reg.fnsSite }, maxPayloadBytes: 262144 };
  const dir = mkdtempSync(join(tmpdir(), 'kassa-bench-local-'));
  const log = silentLog();
  const localTime = localTimeIn('UTC');

  const rig = fnRig({ clock: new HandSetClock(T0 * 1000), faults: { signDelayMs: FN_SIGN_MS }, device: { checkTimer: false }, driver: { timeoutMs: 2000, longTimeoutMs: 4000 } });
  await registerFn(rig.driver, fnRegistration(reg.ffd, rig.at(T0)));
  const [registerSide, deviceSide] = memoryPortPair('printer');
  const emulator = new PrinterEmulator({ port: deviceSide, clock: systemClock(), log });
  emulator.knobs.mmPerSecond = PAPER_MM_S;
  emulator.start();
  const printerDriver = new PrinterDriver({ port: registerSide, clock: systemClock(), log });
  printerDriver.start();
  const printer = new EscPosPrinter({ driver: printerDriver, log }, 48);

  const journal = new Journal<LedgerRecord>({ log }, { dir: join(dir, 'journal'), segmentBytes: 4 << 20 });
  const ledger = new JobLedger(journal);
  await journal.open((r, place) => ledger.replay(r, place));
  let memory: { number: number; openedAt: number } | undefined;
  const shifts = new ShiftKeeper({ fn: rig.fn, log, recall: () => memory, remember: async (s) => void (memory = s) }, { ffd: reg.ffd, maxOpenMinutes: 1430 });
  const finishedAt = new Map<string, number>();
  const pipeline = new FiscalPipeline(
    {
      fn: rig.fn,
      ledger,
      shifts,
      printer,
      clock: rig.clock,
      localTime,
      log,
      publish: (r) => void (FINAL_STATUSES.has(r.status) && r.id !== null && finishedAt.set(r.id, performance.now())),
    },
    { deviceId: 'bench', registration: reg, cashier: () => config.cashier, retryDelayMs: 100, printRetryMs: 100 },
  );
  const intake = new JobIntake({ ledger, clock: rig.clock, localTime, log, publish: () => {}, submit: (id) => pipeline.submit(id) }, ctx);
  const requests = new LocalRequests({ ledger, intake, pipeline, query: async () => ({}), publish: () => {}, clock: rig.clock, localTime, log }, ctx);
  const server = new LocalApiServer({ requests, log, deviceId: 'bench' }, { enabled: true, host: '127.0.0.1', port: 0 });
  await server.start();
  const api = localClient(`http://${server.where}`);
  pipeline.start();
  await shifts.ensureOpen(rig.at(T0 + 60), []);

  const sample = JSON.parse(readFileSync('device-config/samples/sell-atol.json', 'utf8')) as Record<string, unknown>;
  const localTask = (i: number): Record<string, unknown> => ({
    type: 'sell',
    taxationType: 'osn',
    items: [
      { type: 'position', name: 'Молоко 3,2% 1 л', price: 89.9, quantity: 2, amount: 179.8, paymentMethod: 'fullPayment', tax: { type: 'vat10' } },
      { type: 'position', name: 'Кофе зерновой 250 г', price: 549, quantity: 1, amount: 549, paymentMethod: 'fullPayment', tax: { type: 'vat20' } },
      { type: 'position', name: `Пакет ${i}`, price: 5, quantity: 1, amount: 5, paymentMethod: 'fullPayment', tax: { type: 'vat20' } },
    ],
    payments: [{ type: 'cash', sum: 1000 }],
  });

  // Both sources at once, interleaved: a till and a shop each sending EACH receipts.
  const t0 = performance.now();
  const localLatency: number[] = [];
  const acceptMs: number[] = [];
  const locals = Array.from({ length: EACH }, async (_, i) => {
    await new Promise((r) => setTimeout(r, i * 5));
    const start = performance.now();
    const posted = await api.post(`till-${i}`, [localTask(i)]);
    acceptMs.push(performance.now() - start);
    if (posted.status !== 201) throw new Error(`POST ${posted.status}: ${JSON.stringify(posted.body)}`);
    const [state] = await api.final(`till-${i}`, 120_000);
    if (state?.status !== 'ready') throw new Error(`till-${i}: ${JSON.stringify(state)}`);
    localLatency.push(performance.now() - start);
  });
  const clouds = Array.from({ length: EACH }, async (_, i) => {
    await new Promise((r) => setTimeout(r, i * 5 + 2));
    await intake.handle(Buffer.from(JSON.stringify({ ...sample, id: `shop-${i}` })));
  });
  await Promise.all([...locals, ...clouds]);
  while (finishedAt.size < 2 * EACH) await new Promise((r) => setTimeout(r, 20));
  await pipeline.prints.idle();
  const seconds = (performance.now() - t0) / 1000;
  if (emulator.printed.length !== 2 * EACH) throw new Error(`${emulator.printed.length} receipts came out for ${2 * EACH} jobs`);
  const lastLocal = Math.max(...[...finishedAt].filter(([id]) => sourceOf(id) === 'local').map(([, t]) => t));
  const localSeconds = (lastLocal - t0) / 1000;

  pipeline.stop();
  await server.stop();
  await journal.close();
  printerDriver.stop();
  emulator.stop();
  await rig.close();
  rmSync(dir, { recursive: true, force: true });

  localLatency.sort((a, b) => a - b);
  acceptMs.sort((a, b) => a - b);
  const figures: Figure[] = [
    { name: 'local receipts alongside cloud jobs', value: (EACH * 60) / localSeconds, unit: 'receipts/min', note: `${EACH} over HTTP while ${EACH} cloud jobs share the FN` },
    { name: 'all receipts, both sources', value: (2 * EACH * 60) / seconds, unit: 'receipts/min', note: `${2 * EACH} in ${seconds.toFixed(1)} s, each printed once` },
    { name: 'POST answered (journaled, fsync)', value: percentile(acceptMs, 50), unit: 'ms p50', note: `p95 ${percentile(acceptMs, 95).toFixed(1)} ms` },
    { name: 'local request POST → ready (polled)', value: percentile(localLatency, 50), unit: 'ms p50', note: `p95 ${percentile(localLatency, 95).toFixed(0)} ms, max ${localLatency[localLatency.length - 1]?.toFixed(0)} ms` },
  ];
  printFigures(`Local API (issue 13): FN ${FN_SIGN_MS} ms a document, paper ${PAPER_MM_S} mm/s`, figures);
  return figures;
}
