/**
 * The ledger's index file: the folded ledger as of one journal record, so that a boot reads
 * it and replays only the records after that one (issue 9 §5: ready in ≤ 0.5 s with 100 000
 * journaled jobs, where folding every record takes seconds). Written after each compaction,
 * every INDEX_REFRESH_RECORDS records (ledger-wiring.ts) and at a clean stop, atomically
 * (core/atomic-file.ts).
 *
 * It is a cache, never the truth: the journal is. At boot it is used only if the journal
 * still has every segment it covers with the same size and the same first bytes, and the
 * record it ends at is where it says; otherwise (a compaction that died before rewriting it,
 * a journal restored from elsewhere, a torn file) the boot folds the whole journal as before.
 *
 * Layout (version 3): the finished-job columns as raw bytes, so that a boot reads each into
 * its typed array with no work per job (finished-jobs.ts); the rest in CBOR. A live job's
 * entry is saved without its job, which the record at its place (accepted, or a compaction's
 * snapshot) holds: a burst of queued jobs does not put each job's CBOR in every index file
 * written while they wait (version 2 saved them whole).
 *   header  8 × u32: magic, version, jobs n, id table words, id arena bytes, CBOR bytes,
 *           CRC-32 of the columns (each without its padding, in order), 0
 *   columns times f64[2n], places u32[4n], seq u32[n], id offsets u32[n], id metas u16[n],
 *           meta u8[n], id hash table u32[], id arena u8[]; each padded to 8 bytes
 *   CBOR    after, afterId, segments, seq, live
 * The CRC stands for what cbor's structure checked before: a flipped bit in a raw column
 * would otherwise pass unseen. The id table is stored as job-id-table.ts built it (a change of
 * its hash or layout bumps VERSION).
 * Native byte order: the magic read back in another order does not match, and the file is
 * not used. A version-1 file (all CBOR) does not start with the magic either.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { Encoder } from 'cbor-x';
import { writeFileAtomic } from '../core/atomic-file.ts';
import { listJournal, readRecordAt, readRecordsAt, segmentName, type RecordPlace } from '../journal/segment-files.ts';
import { FinishedJobs, type FinishedColumns } from './finished-jobs.ts';
import type { Job } from './job.ts';
import type { LedgerEntry, LedgerRecord, LedgerView } from './job-ledger.ts';

const MAGIC = 0x5849_4c4b; // "KLIX" in little-endian order
const VERSION = 3;
const HEADER_WORDS = 8;
/** Bytes at the start of a segment whose CRC tells the file apart from a compaction's rewrite. */
const HEAD_BYTES = 256;
const cbor = new Encoder({ structuredClone: false, useRecords: false, mapsAsObjects: true });

interface IndexMeta {
  readonly v: number;
  readonly after: RecordPlace;
  readonly afterId: string;
  /** [seq, size (0 for the segment `after` is in: it grows), CRC of its head] per segment up to `after`. */
  readonly segments: [number, number, number][];
  readonly seq: number;
  /** [entry, seq, offset of its place (0, 0: none), 1 when the entry's job is the one at its place and left out]. */
  readonly live: LiveRow[];
}

type LiveRow = [LedgerEntry, number, number, (1 | 0)?];

/** Saves the ledger as it is now; false when there is nothing to save (no record folded yet). */
export async function saveLedgerIndex(path: string, journalDir: string, view: LedgerView, sizes: ReadonlyMap<number, number>): Promise<boolean> {
  const after = view.last;
  if (!after) return false;
  // Taken before any await: the columns and `after` describe the same moment.
  const live: LiveRow[] = [...view.live.values()].map((e) => {
    const p = view.livePlaces.get(e.id);
    if (!p || e.job === undefined) return [e, p?.seq ?? 0, p?.offset ?? 0];
    const { job: _atPlace, ...rest } = e;
    return [rest, p.seq, p.offset, 1];
  });
  const columns = view.finished.columns();
  const seq = view.seq;
  const covered = [...sizes.keys()].filter((s) => s <= after.seq).sort((a, b) => a - b);
  const segments: [number, number, number][] = [];
  for (const s of covered) segments.push([s, s === after.seq ? 0 : (sizes.get(s) ?? 0), await headCrc(journalDir, s)]);
  const afterId = (await readRecordAt<LedgerRecord>(journalDir, after)).id;
  const meta: IndexMeta = { v: VERSION, after, afterId, segments, seq, live };
  await writeFileAtomic(path, fileBytes(columns, cbor.encode(meta)));
  return true;
}

/** The saved ledger if it still describes the journal in `journalDir`, else undefined. */
export async function loadLedgerIndex(path: string, journalDir: string): Promise<LedgerView | undefined> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    const parsed = await readIndex(handle, journalDir);
    if (!parsed) return undefined;
    const livePlaces = new Map<string, RecordPlace>();
    const live = new Map<string, LedgerEntry>();
    const rows = parsed.meta.live;
    const atPlaces = rows.filter((row) => row[3] === 1);
    const records = await readRecordsAt<LedgerRecord>(journalDir, atPlaces.map(([, seq, offset]) => ({ seq, offset })));
    const jobs = new Map(atPlaces.map(([e], i) => [e.id, jobIn(records[i], e.id)]));
    for (const [e, seq, offset, jobAtPlace] of rows) {
      if (jobAtPlace === 1) {
        const job = jobs.get(e.id);
        // A job the index says is at its place and is not: the index does not describe this journal.
        if (job === undefined) return undefined;
        live.set(e.id, { ...e, job });
      } else live.set(e.id, e);
      if (seq > 0) livePlaces.set(e.id, { seq, offset });
    }
    return { live, livePlaces, finished: parsed.finished, seq: parsed.meta.seq, last: parsed.meta.after };
  } finally {
    await handle.close();
  }
}

type ColumnName = 'times' | 'places' | 'seq' | 'meta';
type Column = Float64Array | Uint32Array | Uint16Array | Uint8Array;
type ColumnType = { new (length: number): Column; readonly BYTES_PER_ELEMENT: number };

/** The per-job columns in file order, with elements per job; then the id columns, table and arena. */
const LAYOUT: readonly [ColumnName, ColumnType, number][] = [
  ['times', Float64Array, 2],
  ['places', Uint32Array, 4],
  ['seq', Uint32Array, 1],
  ['meta', Uint8Array, 1],
];

const padded = (n: number): number => Math.ceil(n / 8) * 8;

/** Bytes of the columns of `n` jobs, the table and the arena, padded as in the file. */
function bodyBytes(n: number, tableWords: number, arenaBytes: number): number {
  return [...LAYOUT.map(([, type, per]) => n * per * type.BYTES_PER_ELEMENT), 4 * n, 2 * n, 4 * tableWords, arenaBytes].reduce((sum, b) => sum + padded(b), 0);
}

function fileBytes(c: FinishedColumns, meta: Uint8Array): Uint8Array {
  const { offsets, metas, arena, table = new Uint32Array(0) } = c.ids;
  const parts: Column[] = [...LAYOUT.map(([name]) => c[name]), offsets, metas, table, arena];
  const file = new Uint8Array(4 * HEADER_WORDS + bodyBytes(c.count, table.length, arena.length) + meta.length);
  let at = 4 * HEADER_WORDS;
  let crc = 0;
  for (const p of parts) {
    const bytes = bytesOf(p);
    file.set(bytes, at);
    crc = crc32(bytes, crc);
    at += padded(p.byteLength);
  }
  file.set(meta, at);
  new Uint32Array(file.buffer, 0, HEADER_WORDS).set([MAGIC, VERSION, c.count, table.length, arena.length, meta.length, crc, 0]);
  return file;
}

const bytesOf = (c: Column): Uint8Array => new Uint8Array(c.buffer, c.byteOffset, c.byteLength);

/**
 * The file's parts, if it is a whole index file of this version that describes the journal.
 * Each column is read straight into its own typed array (no buffer of the whole file, no
 * second copy), only once the CBOR part has shown that the journal still matches.
 */
async function readIndex(handle: FileHandle, journalDir: string): Promise<{ meta: IndexMeta; finished: FinishedJobs } | undefined> {
  const header = new Uint32Array(HEADER_WORDS);
  const read = async (into: Uint8Array, position: number): Promise<boolean> => (await handle.read(into, 0, into.length, position)).bytesRead === into.length;
  if (!(await read(bytesOf(header), 0))) return undefined;
  const [magic, version, n = 0, tableWords = 0, arenaBytes = 0, metaBytes = 0, crc] = header;
  if (magic !== MAGIC || version !== VERSION) return undefined;
  const bodyEnd = 4 * HEADER_WORDS + bodyBytes(n, tableWords, arenaBytes);
  if ((await handle.stat()).size !== bodyEnd + metaBytes) return undefined;
  const metaBuffer = new Uint8Array(metaBytes);
  if (!(await read(metaBuffer, bodyEnd))) return undefined;
  let meta: IndexMeta;
  try {
    meta = cbor.decode(metaBuffer) as IndexMeta;
  } catch {
    return undefined;
  }
  if (meta?.v !== VERSION || !(await describesJournal(meta, journalDir))) return undefined;
  let at = 4 * HEADER_WORDS;
  let sum = 0;
  const column = async <T extends Column>(make: (length: number) => T, length: number): Promise<T> => {
    const col = make(length);
    if (!(await read(bytesOf(col), at))) throw new RangeError('index file shorter than its header says');
    sum = crc32(bytesOf(col), sum);
    at += padded(col.byteLength);
    return col;
  };
  try {
    const columns: Partial<Record<ColumnName, Column>> = {};
    for (const [name, type, per] of LAYOUT) columns[name] = await column((length) => new type(length), n * per);
    const ids = {
      count: n,
      offsets: await column((length) => new Uint32Array(length), n),
      metas: await column((length) => new Uint16Array(length), n),
      table: await column((length) => new Uint32Array(length), tableWords),
      arena: await column((length) => new Uint8Array(length), arenaBytes),
    };
    return sum === crc ? { meta, finished: FinishedJobs.fromColumns({ count: n, ...columns, ids } as FinishedColumns) } : undefined;
  } catch {
    return undefined; // shorter than its header says (changed while read), or columns that do not agree
  }
}

/** The job of job `id` in record `r`: its accepted record, or a compaction's snapshot of it. */
function jobIn(r: LedgerRecord | undefined, id: string): Job | undefined {
  if (r?.id !== id) return undefined;
  return r.k === 'accepted' ? r.job : r.k === 'snapshot' ? r.entry.job : undefined;
}

async function describesJournal(file: IndexMeta, dir: string): Promise<boolean> {
  const { after } = file;
  const { segments } = await listJournal(dir).catch(() => ({ segments: [] as number[] }));
  const onDisk = segments.filter((seq) => seq <= after.seq);
  if (onDisk.length !== file.segments.length) return false;
  for (const [i, [seq, size, crc]] of file.segments.entries()) {
    if (onDisk[i] !== seq) return false;
    const actual = (await stat(join(dir, segmentName(seq)))).size;
    if (seq === after.seq ? actual <= after.offset : actual !== size) return false;
    if ((await headCrc(dir, seq)) !== crc) return false;
  }
  const last = await readRecordAt<LedgerRecord>(dir, after).catch(() => undefined);
  return last?.id === file.afterId;
}

async function headCrc(dir: string, seq: number): Promise<number> {
  const handle = await open(join(dir, segmentName(seq)), 'r');
  try {
    const head = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(head, 0, HEAD_BYTES, 0);
    return crc32(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}
