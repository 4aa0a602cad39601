/**
 * The fiscal pipeline itself, with the FN, the printer and the journal emulated in-process
 * (pipeline-rig.ts): every branch of reconciliation (DESIGN.md §1 invariant 2), and "paper
 * out after the FN formed the receipt never makes a second FD" (invariant 3); over a real
 * journal, a printed receipt's two last records in one write, a journal that fails once
 * the receipt is on paper never puts it on paper again, and a stop waits for the receipt on
 * its way to paper.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FN } from '../../drivers/fn/fn-commands.ts';
import { OPEN_DOCUMENT } from '../../drivers/fn/fn-status-flags.ts';
import { buildReceipt } from '../../firmware/fiscal/receipt-builder.ts';
import { FD_TYPE } from '../../firmware/fiscal/tag-table.ts';
import { pipelineRig, sellJob, type PipelineRig } from '../helpers/pipeline-rig.ts';
import { FN_NUMBER, T0, testLog } from '../helpers/fn-rig.ts';
import { reconcileForming } from '../../firmware/pipeline/reconcile.ts';
import { Journal } from '../../firmware/journal/journal.ts';
import { segmentName } from '../../firmware/journal/segment-files.ts';
import type { LedgerJournal, LedgerRecord } from '../../firmware/jobs/job-ledger.ts';
import { memoryJournal } from '../helpers/memory-journal.ts';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const test = suite('fiscal pipeline (service)');

/** Accepts a sell job and journals "forming", as a register that died right after would have. */
async function acceptedAndForming(rig: PipelineRig, id: string): Promise<{ job: ReturnType<typeof sellJob>; fdBefore: number }> {
  const job = sellJob(id);
  await rig.ledger.record({ k: 'accepted', id, at: rig.fn.clock.now(), job });
  const doc = buildReceipt(job.receipt, '1.2');
  const fdBefore = (await rig.fn.fn.status()).lastFd;
  await rig.ledger.record({ k: 'forming', id, at: rig.fn.clock.now(), forming: { fdBefore, fdType: doc.fdType, operationType: doc.operationType, totalKopecks: doc.totalKopecks } });
  return { job, fdBefore };
}

async function finished(rig: PipelineRig, id: string): Promise<void> {
  await rig.until(() => rig.finals(id).length > 0, `the final result of ${id}`);
}

const kindsOf = (rig: PipelineRig, id: string): string[] => rig.records.filter((r) => r.id === id).map((r) => r.k);

test('reconciliation, FD not formed: the job is formed now, once', async () => {
  const rig = await pipelineRig();
  try {
    const { fdBefore } = await acceptedAndForming(rig, 'not-formed');
    rig.pipeline().start();
    await finished(rig, 'not-formed');
    const [final] = rig.finals('not-formed');
    assert.is(final?.status, 'done', JSON.stringify(final?.error));
    assert.equal(rig.fds().filter((fd) => fd > fdBefore), [fdBefore + 1], 'one new FD');
    assert.is(final?.payload?.fiscal_document_number, fdBefore + 1);
    assert.equal(kindsOf(rig, 'not-formed'), ['accepted', 'forming', 'unformed', 'forming', 'fiscalized', 'printed', 'finished']);
  } finally {
    await rig.close();
  }
});

test('reconciliation, a document left open in the FN: cancelled, then the job is formed once', async () => {
  const rig = await pipelineRig();
  try {
    const { fdBefore } = await acceptedAndForming(rig, 'open-doc');
    await rig.fn.driver.execute(FN.startReceipt, { dateTime: rig.fn.at(T0 + 120) });
    assert.is((await rig.fn.fn.status()).document, OPEN_DOCUMENT.receipt, 'the FN holds an open receipt');
    rig.pipeline().start();
    await finished(rig, 'open-doc');
    assert.is(rig.finals('open-doc')[0]?.status, 'done');
    assert.is((await rig.fn.fn.status()).document, OPEN_DOCUMENT.none);
    assert.equal(rig.fds().filter((fd) => fd > fdBefore), [fdBefore + 1], 'one new FD');
  } finally {
    await rig.close();
  }
});

test('reconcileForming itself, a document left open: it cancels it (06h) and marks the job unformed', async () => {
  // The pipeline also cancels an open document before forming; this asks reconciliation alone.
  const rig = await pipelineRig();
  try {
    await acceptedAndForming(rig, 'open-direct');
    await rig.fn.driver.execute(FN.startReceipt, { dateTime: rig.fn.at(T0 + 120) });
    const entry = rig.ledger.get('open-direct');
    assert.ok(entry?.forming, 'the ledger says forming');
    const after = await reconcileForming({ fn: rig.fn.fn, ledger: rig.ledger, log: testLog(), clock: rig.fn.clock }, entry, (f) => ({ ...f, fnNumber: FN_NUMBER, rnm: '', ofdInn: '', fnsSite: '' }));
    assert.is((await rig.fn.fn.status()).document, OPEN_DOCUMENT.none, 'the open receipt was cancelled');
    assert.is(after.forming, undefined, 'no longer forming');
    assert.equal(kindsOf(rig, 'open-direct'), ['accepted', 'forming', 'unformed']);
  } finally {
    await rig.close();
  }
});

test('reconciliation, FD formed but not journaled: found in the archive, never formed again, nothing made up', async () => {
  const rig = await pipelineRig();
  try {
    const { job, fdBefore } = await acceptedAndForming(rig, 'formed');
    // The FN formed it; the register died before the journal said so.
    const formed = await rig.fn.fn.formReceipt('1.2', rig.fn.at(T0 + 120), buildReceipt(job.receipt, '1.2'));
    rig.pipeline().start();
    await finished(rig, 'formed');
    const [final] = rig.finals('formed');
    assert.is(final?.status, 'done', JSON.stringify(final?.error));
    assert.equal(rig.fds().filter((fd) => fd > fdBefore), [formed.fd], 'no second FD');
    const fiscalized = rig.records.find((r) => r.id === 'formed' && r.k === 'fiscalized');
    assert.ok(fiscalized && fiscalized.k === 'fiscalized');
    assert.is(fiscalized.fiscal.fd, formed.fd);
    assert.is(fiscalized.fiscal.fpd, formed.fpd, 'the FPD the FN gave, not a made-up one');
    assert.is(fiscalized.fiscal.receiptNumber, formed.receiptNumber);
    assert.is(fiscalized.fiscal.shiftNumber, 1);
    assert.is(fiscalized.fiscal.fdType, FD_TYPE.receipt);
    assert.is(rig.printer.printed.length, 1, 'printed once');
  } finally {
    await rig.close();
  }
});

test('paper out after the FN formed the receipt: fiscalized, not printed; a restart and paper back never make a second FD', async () => {
  const rig = await pipelineRig();
  try {
    const job = sellJob('paper');
    await rig.ledger.record({ k: 'accepted', id: 'paper', at: rig.fn.clock.now(), job });
    const before = rig.fds();
    rig.printer.knobs.paperOut = true;
    const first = rig.pipeline();
    first.start();
    first.submit('paper');
    await rig.until(() => rig.results.some((r) => r.id === 'paper' && r.status === 'fiscalized_not_printed'), 'fiscalized, not printed');
    await rig.until(() => first.prints.stats.refusals >= 3, 'three refused print attempts');
    assert.is(rig.fds().length, before.length + 1, 'one FD');
    assert.is(rig.ledger.get('paper')?.status, 'fiscalized_not_printed');
    // The register restarts with the paper still out: the job is unfinished, and is not formed again.
    const second = rig.pipeline();
    second.start();
    await rig.until(() => second.prints.stats.refusals >= 2, 'the restarted pipeline trying to print');
    assert.is(rig.fds().length, before.length + 1, 'still one FD after the restart');
    rig.printer.knobs.paperOut = false;
    second.prints.resume();
    await finished(rig, 'paper');
    const [final] = rig.finals('paper');
    assert.is(final?.status, 'done');
    assert.is(final?.printed, true);
    assert.is(rig.printer.printed.length, 1, `on paper once: ${JSON.stringify(rig.printer.printed.map((p) => p.lines.slice(0, 3)))}`);
    assert.is(rig.fds().length, before.length + 1, 'still one FD');
    assert.is(rig.records.filter((r) => r.id === 'paper' && r.k === 'fiscalized').length, 1);
  } finally {
    await rig.close();
  }
});

test('a stop while a receipt was on its way to paper: the next start prints it once more under КОПИЯ, never as a second original', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-paper-mark-'));
  // The journal dies while the receipt prints: nothing after "fiscalized" reaches it, as when
  // the register loses power between the paper and its "printed" record.
  const records: LedgerRecord[] = [];
  let dead = false;
  const base = memoryJournal(records);
  const journal: LedgerJournal = { append: (r) => (dead ? Promise.reject(new Error('power cut')) : base.append(r)), read: base.read };
  const rig = await pipelineRig({ journal, paperMarkPath: join(dir, 'printing.json') });
  try {
    rig.printer.knobs.mmPerSecond = 20; // a receipt takes seconds of the rig's clock to come out
    await rig.ledger.record({ k: 'accepted', id: 'cut', at: rig.fn.clock.now(), job: sellJob('cut') });
    const first = rig.pipeline();
    first.start();
    first.submit('cut');
    await rig.until(() => existsSync(join(dir, 'printing.json')), 'the receipt marked on its way to paper');
    const fd = rig.ledger.get('cut')?.fiscal?.fd;
    assert.equal(JSON.parse(readFileSync(join(dir, 'printing.json'), 'utf8')), { id: 'cut', fd });
    dead = true;
    await rig.until(() => rig.printer.printed.length === 1, 'the first receipt out, whole');
    assert.not.ok(rig.printer.printed[0]?.lines.some((l) => l.trim() === 'КОПИЯ'), 'the first is the original');
    dead = false; // the restart: the journal as the power cut left it, a new pipeline reads the mark
    assert.is(rig.ledger.get('cut')?.status, 'fiscalized_not_printed');
    const second = rig.pipeline();
    second.start();
    await rig.until(() => rig.printer.printed.length === 2, 'the receipt printed again');
    await finished(rig, 'cut');
    assert.is(rig.printer.printed[1]?.lines.find((l) => l.trim() !== '')?.trim(), 'КОПИЯ', 'headed КОПИЯ');
    assert.match(rig.printer.printed[1]?.lines.join('\n') ?? '', new RegExp(`ФД +${fd}\\b`));
    // The next receipt, printed whole in this run, is an original.
    await rig.ledger.record({ k: 'accepted', id: 'after', at: rig.fn.clock.now(), job: sellJob('after') });
    second.submit('after');
    await finished(rig, 'after');
    assert.is(rig.printer.printed.length, 3);
    assert.not.ok(rig.printer.printed[2]?.lines.some((l) => l.trim() === 'КОПИЯ'));
  } finally {
    await rig.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('paper out in the middle of a receipt, then a restart: the register knew it was cut short, so the whole one is the original', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-paper-mark-'));
  const rig = await pipelineRig({ paperMarkPath: join(dir, 'printing.json') });
  try {
    rig.printer.knobs.mmPerSecond = 20; // slow enough to run out of paper halfway
    await rig.ledger.record({ k: 'accepted', id: 'halfway', at: rig.fn.clock.now(), job: sellJob('halfway') });
    const first = rig.pipeline();
    first.start();
    first.submit('halfway');
    await rig.until(() => existsSync(join(dir, 'printing.json')), 'the receipt on its way to paper');
    rig.printer.knobs.paperOut = true;
    await rig.until(() => first.prints.stats.refusals >= 1, 'the printer stopping short');
    assert.equal(JSON.parse(readFileSync(join(dir, 'printing.json'), 'utf8')), {}, 'the mark taken back');
    assert.is(rig.printer.printed.length, 0, 'nothing whole came out');
    const second = rig.pipeline(); // the restart, paper still out
    second.start();
    rig.printer.knobs.paperOut = false;
    second.prints.resume();
    await finished(rig, 'halfway');
    assert.is(rig.printer.printed.length, 1);
    assert.not.ok(rig.printer.printed[0]?.lines.some((l) => l.trim() === 'КОПИЯ'), 'the original');
  } finally {
    await rig.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a receipt the printer refused before printing (paper out) is not marked: after a restart it comes out as the original', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-paper-mark-'));
  const rig = await pipelineRig({ paperMarkPath: join(dir, 'printing.json') });
  try {
    await rig.ledger.record({ k: 'accepted', id: 'waiting', at: rig.fn.clock.now(), job: sellJob('waiting') });
    rig.printer.knobs.paperOut = true;
    const first = rig.pipeline();
    first.start();
    first.submit('waiting');
    await rig.until(() => first.prints.stats.refusals >= 2, 'the printer refusing the receipt');
    assert.not.ok(existsSync(join(dir, 'printing.json')), 'nothing was on its way to paper');
    const second = rig.pipeline();
    second.start();
    rig.printer.knobs.paperOut = false;
    second.prints.resume();
    await finished(rig, 'waiting');
    assert.is(rig.printer.printed.length, 1);
    assert.not.ok(rig.printer.printed[0]?.lines.some((l) => l.trim() === 'КОПИЯ'), 'the buyer gets the original');
  } finally {
    await rig.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A real journal in a new temporary folder; `segmentBytes` small makes every write start a segment. */
async function diskJournal(segmentBytes?: number): Promise<{ journal: Journal<LedgerRecord>; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-pipeline-journal-'));
  const journal = new Journal<LedgerRecord>({ log: testLog() }, { dir, ...(segmentBytes !== undefined ? { segmentBytes } : {}) });
  await journal.open();
  return { journal, dir };
}

test('a printed receipt\'s "printed" and "finished" records go to the journal in one write', async () => {
  const { journal, dir } = await diskJournal();
  const rig = await pipelineRig({ journal });
  try {
    await rig.ledger.record({ k: 'accepted', id: 'one-write', at: rig.fn.clock.now(), job: sellJob('one-write') });
    const p = rig.pipeline();
    p.start();
    p.submit('one-write');
    await finished(rig, 'one-write');
    await p.prints.idle();
    assert.is(rig.printer.printed.length, 1);
    // accepted, forming, fiscalized, then printed and finished together
    assert.equal({ appends: journal.stats.appends, batches: journal.stats.batches }, { appends: 5, batches: 4 });
    await p.stop();
    await journal.close();
    const kinds: string[] = [];
    const again = new Journal<LedgerRecord>({ log: testLog() }, { dir });
    await again.open((r) => void kinds.push(r.k));
    await again.close();
    assert.equal(kinds, ['accepted', 'forming', 'fiscalized', 'printed', 'finished']);
  } finally {
    await rig.close();
    await journal.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the journal fails once the receipt is on paper: tried again, not printed again in this run, each try counted', async () => {
  const { journal, dir } = await diskJournal(64);
  const rig = await pipelineRig({ journal });
  try {
    await rig.ledger.record({ k: 'accepted', id: 'dead-journal', at: rig.fn.clock.now(), job: sellJob('dead-journal') });
    rig.printer.knobs.paperOut = true;
    const p = rig.pipeline();
    p.start();
    p.submit('dead-journal');
    await rig.until(() => rig.ledger.get('dead-journal')?.status === 'fiscalized_not_printed', 'fiscalized, not printed');
    // Something else holds the next segment's name: the journal's next write fails, and it refuses every append after it.
    const open = Number(/\d+/.exec(String(journal.describe()['openSegment']))?.[0]);
    mkdirSync(join(dir, segmentName(open + 1)));
    rig.printer.knobs.paperOut = false;
    p.prints.resume();
    await rig.until(() => p.prints.stats.unrecorded >= 3, 'three tries to record the printed receipt');
    assert.is(journal.describe()['state'], 'failed');
    assert.is(rig.printer.printed.length, 1, 'on paper once');
    assert.equal(rig.finals('dead-journal'), [], 'no final result without its record');
    assert.is(p.prints.length, 1, 'it waits in the queue');
  } finally {
    await rig.close();
    await journal.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stopped while a receipt is on its way to paper: stop() waits for it, and its records reach the journal before it closes', async () => {
  const { journal, dir } = await diskJournal();
  const rig = await pipelineRig({ journal });
  try {
    rig.printer.knobs.mmPerSecond = 20; // a receipt takes seconds of the rig's clock to come out
    await rig.ledger.record({ k: 'accepted', id: 'stopping', at: rig.fn.clock.now(), job: sellJob('stopping') });
    const p = rig.pipeline();
    p.start();
    p.submit('stopping');
    await rig.until(() => p.prints.length === 1, 'the receipt handed to the printer');
    let stopped = false;
    const stopping = p.stop().then(() => void (stopped = true));
    await rig.until(() => stopped, 'the pipeline to stop');
    await stopping;
    await journal.close(); // the journal stops after the pipeline (app.ts: reverse start order)
    const kinds: string[] = [];
    const again = new Journal<LedgerRecord>({ log: testLog() }, { dir });
    await again.open((r) => void kinds.push(r.k));
    await again.close();
    assert.equal(kinds, ['accepted', 'forming', 'fiscalized', 'printed', 'finished']);
    assert.is(rig.printer.printed.length, 1);
  } finally {
    await rig.close();
    await journal.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
