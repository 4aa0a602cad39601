/**
 * Issue 4 figures: layouts rendered + encoded per second; bytes of a typical receipt and
 * its wire time at 38400 and 115200 baud; end-to-end receipts per minute with realistic
 * device timings (the FN 300 ms to sign a document, the printer 150 mm/s) through the
 * pipeline, beside the bound those timings allow when printing overlaps the FN's work.
 */
import { readFileSync } from 'node:fs';
import { PrinterEmulator, MM_PER_LINE } from '../../drivers/printer/emulator/printer-emulator.ts';
import { EscPosInterpreter, type RollRow } from '../../drivers/printer/emulator/escpos-interpreter.ts';
import { renderRollPng } from '../../drivers/printer/emulator/roll-image.ts';
import { PrinterDriver } from '../../drivers/printer/printer-driver.ts';
import { memoryPortPair } from '../../drivers/memory-port.ts';
import { systemClock } from '../../firmware/core/clock.ts';
import { localTimeIn } from '../../firmware/core/local-time.ts';
import { silentLog } from '../../firmware/core/log.ts';
import { parseConfig } from '../../firmware/config/parse-config.ts';
import { parseJobPayload } from '../../firmware/jobs/parse-job.ts';
import type { ReceiptJob } from '../../firmware/jobs/job.ts';
import { FINAL_STATUSES } from '../../firmware/jobs/job-result.ts';
import { FiscalPipeline } from '../../firmware/pipeline/fiscal-pipeline.ts';
import { JobLedger } from '../../firmware/jobs/job-ledger.ts';
import { ShiftKeeper } from '../../firmware/pipeline/shift-keeper.ts';
import { encodeLayout, EscPosPrinter } from '../../firmware/print/escpos-printer.ts';
import { layoutDocument } from '../../firmware/print/receipt-layout.ts';
import { registerFn } from '../../drivers/fn/fn-documents.ts';
import { registration as fnRegistration } from '../helpers/fiscal-fixtures.ts';
import { fnRig, T0 } from '../helpers/fn-rig.ts';
import { HandSetClock } from '../helpers/hand-set-clock.ts'; // the FN signs in real time here
import { opsPerSecond, printFigures, type Figure } from './bench-kit.ts';
import { memoryJournal } from '../helpers/memory-journal.ts';

const FN_SIGN_MS = 300;
const PAPER_MM_S = 150;
const RECEIPTS = 30;

export async function printingBench(): Promise<Figure[]> {
  const config = parseConfig(readFileSync('device-config/demo.json', 'utf8'));
  const ctx = { ffd: '1.2', inn: config.registration.inn, address: config.registration.address, place: 'shop.example.ru', taxSystems: ['osn', 'usn_income'], seller: { name: 'ООО "Ромашка"' }, maxPayloadBytes: 262144 } as const;
  const sample = readFileSync('device-config/samples/sell-atol.json', 'utf8');
  const parsed = parseJobPayload(Buffer.from(sample), ctx);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const job = parsed.job as ReceiptJob;
  const fiscal = { fdType: 3, fd: 1234, fpd: 4123456789, dateTime: T0, shiftNumber: 12, receiptNumber: 34, operationType: 1, totalKopecks: job.receipt.totalKopecks, fnNumber: '9999078900005488', rnm: config.registration.rnm, ofdInn: config.registration.ofdInn, fnsSite: 'www.nalog.gov.ru' };
  const request = { job, fiscal, registration: config.registration };
  const render = opsPerSecond(() => encodeLayout(layoutDocument(request, 48), 48));
  const layout = layoutDocument(request, 48);
  const bytes = encodeLayout(layout, 48).length;
  const wire = (baud: number): number => (bytes * 10 * 1000) / baud; // 8N1
  // The emulator's picture of the paper (demo mode draws one per receipt).
  let rows: readonly RollRow[] = [];
  new EscPosInterpreter({ onStatusRequest: () => {}, onReceipt: (r) => void (rows = r.rows) }).push(encodeLayout(layout, 48));
  const picture = opsPerSecond(() => renderRollPng(rows, { columns: 48 }));

  // End to end: the pipeline with an FN that takes 300 ms to sign and a 150 mm/s printer.
  const rig = fnRig({ clock: new HandSetClock(T0 * 1000), faults: { signDelayMs: FN_SIGN_MS }, device: { checkTimer: false }, driver: { timeoutMs: 2000, longTimeoutMs: 4000 } });
  await registerFn(rig.driver, fnRegistration('1.2', rig.at(T0)));
  const [registerSide, deviceSide] = memoryPortPair('printer');
  const emulator = new PrinterEmulator({ port: deviceSide, clock: systemClock(), log: silentLog() }); // paper moves in real time
  emulator.knobs.mmPerSecond = PAPER_MM_S;
  emulator.start();
  const driver = new PrinterDriver({ port: registerSide, clock: systemClock(), log: silentLog() });
  driver.start();
  const printer = new EscPosPrinter({ driver, log: silentLog() }, 48);
  const ledger = new JobLedger(memoryJournal());
  let memory: { number: number; openedAt: number } | undefined;
  const shifts = new ShiftKeeper({ fn: rig.fn, log: silentLog(), recall: () => memory, remember: async (s) => void (memory = s) }, { ffd: '1.2', maxOpenMinutes: 1430 });
  const finished = new Set<string>();
  const pipeline = new FiscalPipeline(
    { fn: rig.fn, ledger, shifts, printer, clock: rig.clock, localTime: localTimeIn('UTC'), log: silentLog(), publish: (r) => void (FINAL_STATUSES.has(r.status) && r.id !== null && finished.add(r.id)) },
    { deviceId: 'bench', registration: config.registration, cashier: () => config.cashier, retryDelayMs: 100, printRetryMs: 100 },
  );
  // The shift first, so every measured job is one receipt.
  await shifts.ensureOpen(rig.at(T0 + 60), []);
  const t0 = performance.now();
  for (let i = 0; i < RECEIPTS; i++) {
    const id = `bench-${i}`;
    await ledger.record({ k: 'accepted', id, at: Date.now(), job: { ...job, id } });
    pipeline.submit(id);
  }
  pipeline.start();
  while (finished.size < RECEIPTS) await new Promise((r) => setTimeout(r, 20));
  await pipeline.prints.idle();
  // Each receipt once on paper, or the figure would flatter the register.
  if (emulator.printed.length !== RECEIPTS) throw new Error(`${emulator.printed.length} receipts came out for ${RECEIPTS} jobs`);
  const seconds = (performance.now() - t0) / 1000;
  // The paper each receipt really took in the emulator (layout lines, the QR, the feed before the cut).
  const printedLines = emulator.printed.reduce((n, p) => n + p.lines.length, 0) / emulator.printed.length;
  const printSeconds = (printedLines * MM_PER_LINE) / PAPER_MM_S;
  const fnSeconds = FN_SIGN_MS / 1000;
  const measured = (RECEIPTS * 60) / seconds;
  const bound = 60 / Math.max(fnSeconds, printSeconds);
  const serial = 60 / (fnSeconds + printSeconds);
  await pipeline.stop();
  driver.stop();
  emulator.stop();
  await rig.close();

  const figures: Figure[] = [
    { name: 'layouts rendered + encoded', value: render.ops, unit: 'receipts/s', note: `${job.receipt.items.length}-item receipt, 80 mm` },
    { name: "emulator's roll picture (PNG)", value: 1000 / picture.ops, unit: 'ms/receipt', note: `${renderRollPng(rows, { columns: 48 }).length} B` },
    { name: 'bytes per typical receipt (ESC/POS)', value: bytes, unit: 'B', note: `${layout.lines.length} lines + QR` },
    { name: 'wire time at 38400 baud', value: wire(38400), unit: 'ms' },
    { name: 'wire time at 115200 baud', value: wire(115200), unit: 'ms' },
    { name: 'end to end, FN 300 ms + paper 150 mm/s', value: measured, unit: 'receipts/min', note: `${RECEIPTS} receipts in ${seconds.toFixed(1)} s` },
    { name: 'bound with printing overlapped', value: bound, unit: 'receipts/min', note: `FN ${fnSeconds} s, print ${printSeconds.toFixed(2)} s a receipt` },
    { name: 'measured / overlapped bound', value: measured / bound, unit: 'x', note: `without overlap the bound would be ${serial.toFixed(0)}/min` },
  ];
  printFigures('Printing (issue 4)', figures);
  return figures;
}
