/**
 * One fiscal pipeline with its neighbours emulated, in-process (the service tier): the FN
 * emulator behind the real FnDriver, the ESC/POS printer emulator behind the real printer
 * driver, a job ledger over an in-memory journal that keeps every record (or a real one), and the results
 * the pipeline publishes. The FN is registered and a shift is open (fn-session.ts).
 */
import { readFileSync } from 'node:fs';
import { memoryPortPair } from '../../drivers/memory-port.ts';
import { PrinterEmulator } from '../../drivers/printer/emulator/printer-emulator.ts';
import { PrinterDriver } from '../../drivers/printer/printer-driver.ts';
import { ManualClock } from '../../firmware/core/clock.ts';
import { localTimeIn } from '../../firmware/core/local-time.ts';
import { parseConfig } from '../../firmware/config/parse-config.ts';
import type { DeviceConfig } from '../../firmware/config/device-config.ts';
import { JobLedger, type LedgerJournal, type LedgerRecord } from '../../firmware/jobs/job-ledger.ts';
import type { ReceiptJob } from '../../firmware/jobs/job.ts';
import type { JobResult } from '../../firmware/jobs/job-result.ts';
import { parseJobPayload } from '../../firmware/jobs/parse-job.ts';
import { FiscalPipeline } from '../../firmware/pipeline/fiscal-pipeline.ts';
import { PaperMark } from '../../firmware/pipeline/paper-mark.ts';
import { ShiftKeeper } from '../../firmware/pipeline/shift-keeper.ts';
import { EscPosPrinter } from '../../firmware/print/escpos-printer.ts';
import { T0, testLog, type FnRig } from './fn-rig.ts';
import { registeredRig } from './fn-session.ts';
import { stepUntil } from './poll.ts';
import { memoryJournal } from './memory-journal.ts';

export const config: DeviceConfig = parseConfig(readFileSync('device-config/demo.json', 'utf8'));

/** The sample sell job (device-config/samples/sell-atol.json) under another id. */
/** What the register checks a job against (the sample's place, tax systems and seller). */
export const VALIDATION = { ffd: '1.2', inn: config.registration.inn, address: config.registration.address, place: 'shop.example.ru', taxSystems: ['osn', 'usn_income'], seller: { name: 'ООО "Ромашка"' }, maxPayloadBytes: 262144 } as const;

export function sellJob(id: string): ReceiptJob {
  const ctx = VALIDATION;
  const sample = JSON.parse(readFileSync('device-config/samples/sell-atol.json', 'utf8')) as Record<string, unknown>;
  const parsed = parseJobPayload(Buffer.from(JSON.stringify({ ...sample, id })), ctx);
  if (!parsed.ok || parsed.job.type !== 'sell') throw new Error(`the sample does not parse: ${JSON.stringify(parsed)}`);
  return parsed.job;
}

export interface PipelineRig {
  readonly fn: FnRig;
  readonly printer: PrinterEmulator;
  readonly records: LedgerRecord[];
  readonly ledger: JobLedger;
  readonly results: JobResult[];
  /** A pipeline over this rig's ledger: a second call is the register after a restart. */
  pipeline(): FiscalPipeline;
  /** Every formed FD of the FN (its archive), in order. */
  fds(): number[];
  finals(id: string): JobResult[];
  /**
   * Steps the rig's ManualClock 10 ms at a time, letting the lines and promises run between
   * steps, until `ready` — no real time passes; fails after `maxMs` of rig time.
   */
  until(ready: () => boolean, what: string, maxMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * `journal`: the ledger's journal instead of one in memory (then `records` stays empty);
 * `paperMarkPath`: each pipeline marks the document on its way to paper there, and reads it
 * when made (paper-mark.ts), as a register after a restart.
 */
export async function pipelineRig(options: { journal?: LedgerJournal; paperMarkPath?: string } = {}): Promise<PipelineRig> {
  const clock = new ManualClock(T0 * 1000);
  const fn = await registeredRig('1.2', { device: { checkTimer: false }, clock });
  const log = testLog();
  const [registerSide, deviceSide] = memoryPortPair('printer');
  const printer = new PrinterEmulator({ port: deviceSide, clock: fn.clock, log });
  printer.start();
  const driver = new PrinterDriver({ port: registerSide, clock: fn.clock, log });
  driver.start();
  const records: LedgerRecord[] = [];
  const ledger = new JobLedger(options.journal ?? memoryJournal(records));
  const results: JobResult[] = [];
  const pipelines: FiscalPipeline[] = [];
  let memory: { number: number; openedAt: number } | undefined;
  return {
    fn,
    printer,
    records,
    ledger,
    results,
    pipeline() {
      for (const p of pipelines) void p.stop();
      const shifts = new ShiftKeeper({ fn: fn.fn, log, recall: () => memory, remember: async (s) => void (memory = s) }, { ffd: '1.2', maxOpenMinutes: 1430 });
      const p = new FiscalPipeline(
        { fn: fn.fn, ledger, shifts, printer: new EscPosPrinter({ driver, log }, 48), clock: fn.clock, localTime: localTimeIn('UTC'), log, publish: (r) => void results.push(r), ...(options.paperMarkPath ? { paperMark: new PaperMark(options.paperMarkPath) } : {}) },
        { deviceId: 'service-test', registration: config.registration, cashier: () => config.cashier, retryDelayMs: 20, printRetryMs: 20 },
      );
      pipelines.push(p);
      return p;
    },
    fds: () => [...fn.device.snapshot.documents.keys()].sort((a, b) => a - b),
    finals: (id) => results.filter((r) => r.id === id && (r.status === 'done' || r.status === 'fail')),
    async until(ready, what, maxMs = 60_000) {
      await stepUntil(clock, ready, { stepMs: 10, maxMs, what });
    },
    async close() {
      for (const p of pipelines) await p.stop();
      await driver.stop();
      printer.stop();
      await registerSide.close();
      await deviceSide.close();
      await fn.close();
    },
  };
}
