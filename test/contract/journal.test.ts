/**
 * The durable journal's contract (issue 3, deliverable 3): what is appended comes back in
 * order after a reopen, concurrent appends share fsyncs, segments rotate, a torn or corrupted
 * tail of the last segment is dropped and cut off, compaction keeps a keyed fold's state
 * through a crash at any step, a failed write makes the journal refuse appends, and a
 * SIGKILL of an appending process loses nothing it had been told was durable.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, rmdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KassaError } from '../../firmware/core/kassa-error.ts';
import { createLog, type Log } from '../../firmware/core/log.ts';
import { asBytes, frameRecord, parseRecords } from '../../firmware/core/record-framing.ts';
import { Journal } from '../../firmware/journal/journal.ts';
import { segmentName, tempName } from '../../firmware/journal/segment-files.ts';
import { seededRandom } from '../helpers/seeded-random.ts';

const random = seededRandom('journal: kill moments and torn tails');

interface Keyed {
  readonly key: string;
  readonly value: number;
}

const log = createLog({ level: process.env.KASSA_TEST_LOG === 'debug' ? 'debug' : 'error', write: (l) => console.error(l) });

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'kassa-journal-'));
}

function journal<R>(dir: string, segmentBytes?: number, logTo: Log = log): Journal<R> {
  return new Journal<R>({ log: logTo }, segmentBytes === undefined ? { dir } : { dir, segmentBytes });
}

async function reopen<R>(dir: string, segmentBytes?: number): Promise<{ records: R[]; droppedBytes: number }> {
  const j = journal<R>(dir, segmentBytes);
  try {
    return await j.open();
  } finally {
    await j.close();
  }
}

function files(dir: string): string[] {
  return readdirSync(dir).sort();
}

/** The caller's fold in these tests: the last value per key wins. */
function fold(records: readonly Keyed[]): Record<string, number> {
  const state: Record<string, number> = {};
  for (const r of records) state[r.key] = r.value;
  return state;
}

/** A reduce that keeps the promise compaction.ts asks for: absolute records, last per key. */
function lastPerKey(records: Keyed[]): Keyed[] {
  const last = new Map<string, Keyed>();
  for (const r of records) {
    last.delete(r.key);
    last.set(r.key, r);
  }
  return [...last.values()];
}

async function rejection(p: Promise<unknown>): Promise<KassaError> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, KassaError);
    return e as KassaError;
  }
  throw new Error('expected a rejection');
}

test('append, close, reopen: every record back in order, byte strings included', async () => {
  const dir = join(tempDir(), 'nested', 'journal');
  try {
    const j = journal<{ n: number; text: string; bytes?: Uint8Array }>(dir);
    assert.equal(await j.open(), { records: [], droppedBytes: 0 });
    await j.append({ n: 1, text: 'продажа' });
    await j.append({ n: 2, text: 'возврат', bytes: Uint8Array.of(1, 2, 3) });
    await j.append({ n: 3, text: '' });
    assert.is(j.stats.appends, 3);
    assert.is(j.stats.batches, 3);
    assert.is(j.stats.segments, 1);
    assert.is(j.stats.bytes, statSync(join(dir, segmentName(1))).size);
    assert.is(j.describe().state, 'open');
    assert.is(j.describe().openSegment, 'segment-0000000001.log');
    await j.close();
    assert.is(j.describe().state, 'closed');

    const { records, droppedBytes } = await reopen<{ n: number; text: string; bytes?: Uint8Array }>(dir);
    assert.is(droppedBytes, 0);
    assert.equal(records.map((r) => r.n), [1, 2, 3]);
    assert.equal(records.map((r) => r.text), ['продажа', 'возврат', '']);
    assert.equal(asBytes(records[1]?.bytes), Uint8Array.of(1, 2, 3));
    assert.equal(files(dir), ['segment-0000000001.log']);
  } finally {
    rmSync(join(dir, '..', '..'), { recursive: true, force: true });
  }
});

test('group commit: 100 appends fired at once are durable, in call order, with a few fsyncs', async () => {
  const dir = tempDir();
  try {
    const j = journal<{ i: number }>(dir);
    await j.open();
    const fsyncsBefore = j.stats.fsyncs;
    await Promise.all(Array.from({ length: 100 }, (_, i) => j.append({ i })));
    assert.is(j.stats.appends, 100);
    assert.ok(j.stats.fsyncs - fsyncsBefore <= 5, `fsyncs: ${j.stats.fsyncs - fsyncsBefore}`);
    assert.ok(j.stats.batches <= 5, `batches: ${j.stats.batches}`);

    // A second wave that arrives while a write is in flight joins the next batch.
    const first = j.append({ i: 100 });
    await new Promise((r) => setImmediate(r));
    const wave = Array.from({ length: 50 }, (_, k) => j.append({ i: 101 + k }));
    await Promise.all([first, ...wave]);
    assert.ok(j.stats.batches <= 8, `batches: ${j.stats.batches}`);
    await j.close();
    const { records } = await reopen<{ i: number }>(dir);
    assert.equal(records.map((r) => r.i), Array.from({ length: 151 }, (_, i) => i));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('segments rotate at segmentBytes, are numbered in order, and replay in order after reopen', async () => {
  const dir = tempDir();
  const SEGMENT = 1000;
  try {
    const record = (i: number): { i: number; pad: string } => ({ i, pad: 'x'.repeat(90) });
    const frame = frameRecord(record(0)).length;
    const j = journal<{ i: number; pad: string }>(dir, SEGMENT);
    await j.open();
    for (let i = 0; i < 60; i++) await j.append(record(i));
    const names = files(dir);
    assert.ok(names.length >= 5, `segments: ${names.join(' ')}`);
    assert.equal(names, names.map((_, k) => segmentName(k + 1)));
    for (const name of names.slice(0, -1)) {
      const size = statSync(join(dir, name)).size;
      assert.ok(size >= SEGMENT && size < SEGMENT + frame + 4, `${name}: ${size} bytes`);
    }
    assert.is(j.stats.segments, names.length);
    assert.is(j.stats.bytes, names.reduce((n, name) => n + statSync(join(dir, name)).size, 0));
    await j.close();

    const again = journal<{ i: number; pad: string }>(dir, SEGMENT);
    const { records } = await again.open();
    assert.equal(records.map((r) => r.i), Array.from({ length: 60 }, (_, i) => i));
    for (let i = 60; i < 70; i++) await again.append(record(i));
    await again.close();
    const final = await reopen<{ i: number }>(dir, SEGMENT);
    assert.equal(final.records.map((r) => r.i), Array.from({ length: 70 }, (_, i) => i));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a torn tail (a record cut short) is dropped, the file cut back, earlier records kept', async () => {
  const dir = tempDir();
  try {
    const j = journal<{ i: number }>(dir);
    await j.open();
    for (let i = 0; i < 10; i++) await j.append({ i });
    await j.close();
    const path = join(dir, segmentName(1));
    const size = statSync(path).size;
    const last = frameRecord({ i: 9 }).length;
    truncateSync(path, size - 3);

    const again = journal<{ i: number }>(dir);
    const { records, droppedBytes } = await again.open();
    assert.equal(records.map((r) => r.i), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
    assert.is(droppedBytes, last - 3);
    assert.is(again.stats.droppedBytes, last - 3);
    assert.is(statSync(path).size, size - last);
    await again.append({ i: 9 });
    await again.close();
    const final = await reopen<{ i: number }>(dir);
    assert.equal(final.records.map((r) => r.i), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.is(final.droppedBytes, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('garbage after the last record (a header too long, then one with a bad CRC) is dropped', async () => {
  const dir = tempDir();
  try {
    const j = journal<{ i: number }>(dir);
    await j.open();
    for (let i = 0; i < 5; i++) await j.append({ i });
    await j.close();
    const path = join(dir, segmentName(1));
    const good = statSync(path).size;
    for (const garbage of [
      Uint8Array.of(0xff, 0xff, 0xff, 0x7f, 1, 2, 3, 4, 5, 6, 7, 8, 9),
      Uint8Array.of(0x04, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef, 0xa1, 0x61, 0x69, 0x05),
    ]) {
      appendFileSync(path, garbage);
      const { records, droppedBytes } = await reopen<{ i: number }>(dir);
      assert.equal(records.map((r) => r.i), [0, 1, 2, 3, 4]);
      assert.is(droppedBytes, garbage.length);
      assert.is(statSync(path).size, good);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a corrupted CRC in the middle of the last segment drops that record and everything after it', async () => {
  const dir = tempDir();
  try {
    const j = journal<{ i: number }>(dir);
    await j.open();
    for (let i = 0; i < 10; i++) await j.append({ i });
    await j.close();
    const path = join(dir, segmentName(1));
    const bytes = readFileSync(path);
    const at = Array.from({ length: 4 }, (_, i) => frameRecord({ i }).length).reduce((a, b) => a + b, 0);
    bytes[at + 4] = (bytes[at + 4] ?? 0) ^ 0xff; // the stored CRC of record 4
    writeFileSync(path, bytes);

    const { records, droppedBytes } = await reopen<{ i: number }>(dir);
    assert.equal(records.map((r) => r.i), [0, 1, 2, 3]);
    assert.is(droppedBytes, bytes.length - at);
    assert.is(statSync(path).size, at);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('damage inside a closed segment is refused at open, not silently dropped', async () => {
  const dir = tempDir();
  try {
    const j = journal<{ i: number; pad: string }>(dir, 300);
    await j.open();
    for (let i = 0; i < 12; i++) await j.append({ i, pad: 'y'.repeat(80) });
    await j.close();
    const path = join(dir, segmentName(1));
    const size = statSync(path).size;
    truncateSync(path, size - 1);
    const error = await rejection(reopen(dir, 300));
    assert.is(error.code, 'JOURNAL');
    assert.match(error.message, 'segment-0000000001.log');
    assert.is(statSync(path).size, size - 1, 'nothing was cut');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** 200 keyed records over 10 keys in small segments; returns the journal, still open, and what was appended. */
async function keyedHistory(dir: string): Promise<{ j: Journal<Keyed>; appended: Keyed[] }> {
  const j = journal<Keyed>(dir, 800);
  await j.open();
  const appended: Keyed[] = [];
  for (let i = 0; i < 200; i++) {
    const r = { key: `k${i % 10}`, value: i };
    appended.push(r);
    await j.append(r);
  }
  return { j, appended };
}

test('compaction: the closed segments become the last record per key; later appends replay after them', async () => {
  const dir = tempDir();
  try {
    const { j, appended } = await keyedHistory(dir);
    const segmentsBefore = files(dir).length;
    assert.ok(segmentsBefore > 3);
    const compaction = j.compact(lastPerKey);
    // Appends go on during the compaction, into the new open segment.
    const later = Array.from({ length: 20 }, (_, k) => ({ key: `k${k % 3}`, value: 1000 + k }));
    await Promise.all(later.map((r) => j.append(r)));
    const { before, after } = await compaction;
    assert.is(before, 200);
    assert.is(after, 10);
    assert.is(j.stats.segments, files(dir).length);
    assert.ok(files(dir).length < segmentsBefore);
    assert.ok(files(dir).every((name) => /^segment-\d{10}\.log$/.test(name)));
    await j.close();

    const { records } = await reopen<Keyed>(dir, 800);
    assert.equal(records, [...lastPerKey(appended), ...later]);
    assert.equal(fold(records), fold([...appended, ...later]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a crash at any step of compaction replays to the same keyed state, and the next compaction cleans up', async () => {
  const dir = tempDir();
  try {
    const { j, appended } = await keyedHistory(dir);
    const pre = new Map(files(dir).map((name) => [name, readFileSync(join(dir, name))]));
    const newest = pre.size; // the open segment now; compaction rotates, then compacts 1..newest into `newest`
    await j.compact(lastPerKey);
    const later = [{ key: 'k1', value: 5001 }, { key: 'new', value: 5002 }];
    for (const r of later) await j.append(r);
    await j.close();
    const post = new Map(files(dir).map((name) => [name, readFileSync(join(dir, name))]));
    const compacted = post.get(segmentName(newest));
    assert.ok(compacted);
    const afterCompaction = [...post].filter(([name]) => name !== segmentName(newest));
    const expected = fold([...appended, ...later]);

    const states: Record<string, [string, Uint8Array][]> = {
      // Died after the temp file was written, before the rename: the reduced records are never applied.
      'temp left, not renamed': [...pre, [tempName(newest), compacted], ...afterCompaction],
      // Died after the rename, before deleting: every older original replays before the reduced records.
      'renamed, older segments left': [...[...pre].filter(([name]) => name !== segmentName(newest)), ...post],
      // Died while deleting, newest first: the oldest originals are left.
      'renamed, some older segments left': [...[...pre].filter(([name]) => name !== segmentName(newest) && name !== segmentName(newest - 1)), ...post],
    };
    for (const [what, content] of Object.entries(states)) {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir);
      for (const [name, bytes] of content) writeFileSync(join(dir, name), bytes);
      const again = journal<Keyed>(dir, 800);
      const { records } = await again.open();
      assert.equal(fold(records), expected, what);
      assert.ok(!files(dir).some((name) => name.endsWith('.tmp')), `${what}: temp file deleted`);
      const { after } = await again.compact(lastPerKey);
      assert.is(after, Object.keys(expected).length, what);
      await again.close();
      const final = await reopen<Keyed>(dir, 800);
      assert.equal(fold(final.records), expected, `${what}, compacted again`);
      assert.is(final.records.length, Object.keys(expected).length, `${what}: no duplicates left`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a failed rotation rejects the whole batch with JOURNAL and every append after it', async () => {
  const dir = tempDir();
  try {
    const lines: string[] = [];
    const j = journal<{ i: number; pad: string }>(dir, 200, createLog({ level: 'warn', write: (l) => lines.push(l) }));
    await j.open();
    await j.append({ i: 0, pad: 'z'.repeat(250) }); // the segment is now full: the next write rotates
    // Something else holds the next segment's name: the rotation's create fails, even as root.
    mkdirSync(join(dir, segmentName(2)));
    const batch = Array.from({ length: 5 }, (_, k) => j.append({ i: 1 + k, pad: '' }));
    const errors = await Promise.all(batch.map(rejection));
    for (const e of errors) assert.is(e.code, 'JOURNAL');
    assert.is(errors[0]?.cause instanceof Error && (errors[0].cause as NodeJS.ErrnoException).code, 'EEXIST');
    const refused = await rejection(j.append({ i: 9, pad: '' }));
    assert.is(refused.code, 'JOURNAL');
    assert.match(refused.message, 'refuses appends');
    assert.is(j.describe().state, 'failed');
    assert.ok(lines.some((l) => l.includes('ERROR') && l.includes('EEXIST')), 'the failure is logged');
    assert.is((await rejection(j.compact((r) => r))).code, 'JOURNAL');
    await j.close();

    rmdirSync(join(dir, segmentName(2)));
    const again = journal<{ i: number; pad: string }>(dir, 200);
    const { records } = await again.open();
    assert.equal(records.map((r) => r.i), [0]);
    await again.append({ i: 1, pad: '' });
    await again.close();
    assert.equal((await reopen<{ i: number }>(dir, 200)).records.map((r) => r.i), [0, 1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('append before open and after close rejects with JOURNAL; open twice too', async () => {
  const dir = tempDir();
  try {
    const j = journal<{ i: number }>(dir);
    assert.is((await rejection(j.append({ i: 0 }))).code, 'JOURNAL');
    await j.open();
    assert.is((await rejection(j.open())).code, 'JOURNAL');
    const last = j.append({ i: 1 });
    const closing = j.close();
    await last; // queued before close(): still written
    await closing;
    assert.is((await rejection(j.append({ i: 2 }))).code, 'JOURNAL');
    assert.is((await rejection(j.compact((r) => r))).code, 'JOURNAL');
    assert.equal((await reopen<{ i: number }>(dir)).records, [{ i: 1 }]);
    assert.throws(() => journal(dir, 0), (e: unknown) => e instanceof KassaError && e.code === 'JOURNAL');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The appending process: 4 writers, each prints an index once its append has resolved. */
function childScript(): string {
  const journalUrl = new URL('../../firmware/journal/journal.ts', import.meta.url).href;
  const logUrl = new URL('../../firmware/core/log.ts', import.meta.url).href;
  return `
import { Journal } from ${JSON.stringify(journalUrl)};
import { silentLog } from ${JSON.stringify(logUrl)};
const [dir, compactEvery] = process.argv.slice(2);
const journal = new Journal({ log: silentLog() }, { dir, segmentBytes: 16384 });
const { records } = await journal.open();
let next = new Set(records.map((r) => r.i)).size;
const pad = 'p'.repeat(150);
async function writer() {
  for (;;) {
    const i = next++;
    await journal.append({ i, pad });
    process.stdout.write(i + '\\n');
    if (Number(compactEvery) > 0 && i % Number(compactEvery) === 0) journal.compact((r) => r).catch(() => {});
  }
}
await Promise.all([writer(), writer(), writer(), writer()]);
`;
}

async function runAndKill(script: string, dir: string, compactEvery: number): Promise<number[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, dir, String(compactEvery)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  // The kill moment is counted in reported appends, drawn from the seed (up to three
  // compactions' worth), not in milliseconds of real time: no sleep, and a replay aims at
  // the same point of the child's work.
  const killAfter = random.between(1, 900);
  await new Promise<void>((resolve, reject) => {
    let lines = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      out += text;
      lines += text.split('\n').length - 1;
      if (lines >= killAfter) resolve();
    });
    child.on('close', () => reject(new Error(`the child exited after ${lines} of ${killAfter} appends:\n${out.slice(-500)}`)));
  });
  child.kill('SIGKILL');
  await closed;
  // Only whole lines: a line cut by the kill was never fully reported.
  return out.split('\n').slice(0, -1).map(Number);
}

/**
 * A SIGKILL leaves whole writes in the page cache; a power cut may not. Cuts the last segment
 * at a random byte after the last record that was reported durable and adds random bytes: the
 * unsynced part of an in-flight batch, torn.
 */
function tearTail(dir: string, reported: readonly number[]): boolean {
  const last = files(dir).at(-1);
  if (last === undefined) return false;
  const path = join(dir, last);
  const bytes = readFileSync(path);
  const newest = Math.max(...reported);
  let durableEnd = 0;
  let at = 0;
  for (const r of parseRecords<{ i: number }>(bytes).records) {
    at += 8 + bytes.readUInt32LE(at);
    if (r.i <= newest) durableEnd = at;
  }
  const cut = random.between(durableEnd, bytes.length + 1);
  const garbage = Uint8Array.from({ length: random.between(1, 41) }, () => random.between(0, 256));
  truncateSync(path, cut);
  appendFileSync(path, garbage);
  return true;
}

test('SIGKILL while appending: every reported append survives, no gaps, a torn tail is dropped', async () => {
  const base = tempDir();
  const dir = join(base, 'journal');
  const script = join(base, 'appender.mjs');
  writeFileSync(script, childScript());
  try {
    for (let run = 0; run < 6; run++) {
      // Runs 3–5 compact (reduce = identity) every 300 appends, so kills also land inside compactions;
      // odd runs also tear the unreported tail, as a power cut would.
      const reported = await runAndKill(script, dir, run >= 3 ? 300 : 0);
      assert.ok(reported.length > 0, `run ${run}: nothing reported`);
      const torn = run % 2 === 1 && tearTail(dir, reported);
      const { records, droppedBytes } = await reopen<{ i: number }>(dir, 16384);
      if (torn) assert.ok(droppedBytes > 0, `run ${run}: the torn tail was not dropped`);
      // A crash mid-compaction may replay a record twice (original, then its reduced copy); the first occurrences
      // must still be 0, 1, 2, … with no gaps, and without compaction there must be no duplicates at all.
      const firsts: number[] = [];
      const seen = new Set<number>();
      for (const r of records) {
        if (seen.has(r.i)) continue;
        seen.add(r.i);
        firsts.push(r.i);
      }
      if (run < 3) assert.is(records.length, firsts.length, `run ${run}: duplicates`);
      assert.equal(firsts, Array.from({ length: firsts.length }, (_, i) => i), `run ${run}: gap or disorder`);
      assert.ok(Math.max(...reported) < firsts.length, `run ${run}: reported ${Math.max(...reported)}, replayed ${firsts.length}`);
      // After open, every segment parses to its end: the torn tail, if any, is gone.
      for (const name of files(dir)) {
        const bytes = readFileSync(join(dir, name));
        assert.is(parseRecords(bytes).goodLength, bytes.length, `run ${run}: ${name}`);
      }
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test.run();
