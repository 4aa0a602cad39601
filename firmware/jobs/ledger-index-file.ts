/**
 * The ledger's index file: the folded ledger as of one journal record, so that a boot reads
 * it and replays only the records after that one (issue 9 §5: ready in ≤ 0.5 s with 100 000
 * journaled jobs, where folding every record takes seconds). Written after each compaction
 * and at a clean stop, atomically (core/atomic-file.ts).
 *
 * It is a cache, never the truth: the journal is. At boot it is used only if the journal
 * still has every segment it covers with the same size and the same first bytes, and the
 * record it ends at is where it says; otherwise (a compaction that died before rewriting it,
 * a journal restored from elsewhere, a torn file) the boot folds the whole journal as before.
 */
import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { Encoder } from 'cbor-x';
import { writeFileAtomic } from '../core/atomic-file.ts';
import { listJournal, readRecordAt, segmentName, type RecordPlace } from '../journal/segment-files.ts';
import { FinishedJobs, type FinishedColumns } from './finished-jobs.ts';
import type { LedgerEntry, LedgerRecord, LedgerView } from './job-ledger.ts';

const VERSION = 1;
/** Bytes at the start of a segment whose CRC tells the file apart from a compaction's rewrite. */
const HEAD_BYTES = 256;
const cbor = new Encoder({ structuredClone: false, useRecords: false, mapsAsObjects: true });

interface IndexFile {
  readonly v: number;
  readonly after: RecordPlace;
  readonly afterId: string;
  /** [seq, size (0 for the segment `after` is in: it grows), CRC of its head] per segment up to `after`. */
  readonly segments: [number, number, number][];
  readonly seq: number;
  readonly live: [LedgerEntry, number, number][];
  readonly finished: FinishedColumns;
}

/** Saves the ledger as it is now; false when there is nothing to save (no record folded yet). */
export async function saveLedgerIndex(path: string, journalDir: string, view: LedgerView, sizes: ReadonlyMap<number, number>): Promise<boolean> {
  const after = view.last;
  if (!after) return false;
  const live: [LedgerEntry, number, number][] = [...view.live.values()].map((e) => {
    const p = view.livePlaces.get(e.id);
    return [e, p?.seq ?? 0, p?.offset ?? 0];
  });
  const covered = [...sizes.keys()].filter((seq) => seq <= after.seq).sort((a, b) => a - b);
  const finished = view.finished.columns();
  const segments: [number, number, number][] = [];
  for (const seq of covered) segments.push([seq, seq === after.seq ? 0 : (sizes.get(seq) ?? 0), await headCrc(journalDir, seq)]);
  const afterId = (await readRecordAt<LedgerRecord>(journalDir, after)).id;
  const file: IndexFile = { v: VERSION, after, afterId, segments, seq: view.seq, live, finished };
  await writeFileAtomic(path, cbor.encode(file));
  return true;
}

/** The saved ledger if it still describes the journal in `journalDir`, else undefined. */
export async function loadLedgerIndex(path: string, journalDir: string): Promise<LedgerView | undefined> {
  const bytes = await readFile(path).catch(() => undefined);
  if (!bytes) return undefined;
  let file: IndexFile;
  try {
    file = cbor.decode(bytes) as IndexFile;
  } catch {
    return undefined;
  }
  if (file?.v !== VERSION || !(await describesJournal(file, journalDir))) return undefined;
  const livePlaces = new Map<string, RecordPlace>();
  const live = new Map<string, LedgerEntry>();
  for (const [e, seq, offset] of file.live) {
    live.set(e.id, e);
    if (seq > 0) livePlaces.set(e.id, { seq, offset });
  }
  const c = file.finished;
  const finished = FinishedJobs.fromColumns({ ids: c.ids, seq: new Uint32Array(c.seq), flags: new Uint8Array(c.flags), type: new Uint8Array(c.type), times: new Float64Array(c.times), places: new Uint32Array(c.places) });
  return { live, livePlaces, finished, seq: file.seq, last: file.after };
}

async function describesJournal(file: IndexFile, dir: string): Promise<boolean> {
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
