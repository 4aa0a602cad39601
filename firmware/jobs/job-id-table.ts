/**
 * Job ids of the finished-job index (finished-jobs.ts, issue 9 §5) off the GC heap: their
 * bytes in one growable arena (job-id-bytes.ts), and an open-addressing hash table (linear
 * probing, tombstones) from the id to its slot. Nothing per id is a JS object or string; a
 * lookup encodes the probe once into a scratch buffer.
 *
 * Exact, never "probably": a table entry keeps the hash's top byte to skip most foreign
 * slots, but a slot is the id's only when kind, length and every byte are equal.
 */
import { decodeId, encodeId, idBytes, idHash, maxEncodedBytes } from './job-id-bytes.ts';

const EMPTY = 0;
const TOMBSTONE = 0xffffffff;
const SLOT_BITS = 0xffffff;
/** Slot + 1 lives in 24 bits, and never makes 0xffffffff with the tag. */
export const MAX_SLOTS = SLOT_BITS - 1;
/** The table is rebuilt past this load (ids and tombstones over capacity)… */
const MAX_LOAD = 0.75;
/** …to this one: 1.25× growth between rebuilds, ~6.7 bytes per id. */
const BUILD_LOAD = 0.6;
const MIN_CAPACITY = 16;
/** The arena is rebuilt when more than half of it is ids deleted (and it is past this size). */
const MIN_ARENA = 4096;

/** The id columns of `count` slots, all in use; `table` as exportIds built it for them (else it is built: the index file stores it, so that a boot does not hash every id again). */
export interface IdColumns {
  readonly count: number;
  readonly arena: Uint8Array;
  readonly offsets: Uint32Array;
  readonly metas: Uint16Array;
  readonly table?: Uint32Array | undefined;
}

export class JobIdTable {
  arena: Uint8Array;
  /** Per slot: where its id's bytes start in the arena, and kind << 14 | byte length. */
  offsets: Uint32Array;
  metas: Uint16Array;
  private arenaTop: number;
  private garbage = 0;
  private table: Uint32Array = new Uint32Array(MIN_CAPACITY);
  private live = 0;
  private tombstones = 0;
  private scratch = new Uint8Array(256);
  /** The id now encoded in `scratch`, its kind-and-length and hash. */
  private probeId: string | undefined;
  private probeMeta = 0;
  private probeHash = 0;

  /** Over existing columns, as they are (taken, not copied). */
  constructor(c?: IdColumns) {
    const count = c?.count ?? 0;
    this.arena = c?.arena ?? new Uint8Array(0);
    this.offsets = c?.offsets ?? new Uint32Array(0);
    this.metas = c?.metas ?? new Uint16Array(0);
    this.arenaTop = this.arena.length;
    if (count === 0) return;
    if (this.offsets.length < count || this.metas.length < count || count > MAX_SLOTS) throw new RangeError('job id columns shorter than the slots');
    for (let slot = 0; slot < count; slot++) {
      if ((this.offsets[slot] ?? 0) + idBytes(this.metas[slot] ?? 0) > this.arena.length) throw new RangeError(`job id of slot ${slot} past the arena`);
    }
    if (c?.table && c.table.length * MAX_LOAD >= count) {
      // One pass over the table, not the ids: each slot once, no tombstones, room to stop a probe.
      const seen = new Uint8Array(count);
      for (const e of c.table) {
        if (e === EMPTY) continue;
        const slot = (e & SLOT_BITS) - 1;
        if (e === TOMBSTONE || slot >= count || seen[slot]) throw new RangeError('a job id table that does not match its columns');
        seen[slot] = 1;
      }
      if (seen.includes(0)) throw new RangeError('a job id table without every slot');
      this.table = c.table;
      this.live = count;
      return;
    }
    this.rebuild(count);
    for (let slot = 0; slot < count; slot++) {
      if (this.insert(idHash(this.arena, this.offsets[slot] ?? 0, this.metas[slot] ?? 0), slot) !== undefined) throw new RangeError(`job id of slot ${slot} twice`);
    }
  }

  /** Bytes of all its arrays. */
  get byteLength(): number {
    return this.arena.byteLength + this.offsets.byteLength + this.metas.byteLength + this.table.byteLength;
  }

  /** The slot that holds `id`, or -1. */
  slotOf(id: string): number {
    this.encode(id);
    const h = this.probeHash;
    const cap = this.table.length;
    for (let i = h % cap; ; i = i + 1 === cap ? 0 : i + 1) {
      const e = this.table[i] ?? EMPTY;
      if (e === EMPTY) return -1;
      if (e !== TOMBSTONE && e >>> 24 === h >>> 24) {
        const slot = (e & SLOT_BITS) - 1;
        if (this.metas[slot] === this.probeMeta && this.sameBytes(slot)) return slot;
      }
    }
  }

  /** Makes `slot` hold `id` (not held by any slot now). */
  add(id: string, slot: number): void {
    this.encode(id);
    const len = idBytes(this.probeMeta);
    if (this.arenaTop + len > this.arena.length) this.growArena(len);
    this.arena.set(this.scratch.subarray(0, len), this.arenaTop);
    this.offsets[slot] = this.arenaTop;
    this.metas[slot] = this.probeMeta;
    this.arenaTop += len;
    if (this.live + this.tombstones + 1 > this.table.length * MAX_LOAD) this.rebuild(this.live + 1);
    this.insert(this.probeHash, slot);
  }

  /** Forgets the id of `slot` (which holds one). */
  remove(slot: number): void {
    const meta = this.metas[slot] ?? 0;
    const h = idHash(this.arena, this.offsets[slot] ?? 0, meta);
    const cap = this.table.length;
    for (let i = h % cap; ; i = i + 1 === cap ? 0 : i + 1) {
      const e = this.table[i] ?? EMPTY;
      if (e === EMPTY) throw new RangeError(`slot ${slot} is not in the id table`);
      if (e !== TOMBSTONE && (e & SLOT_BITS) === slot + 1) {
        this.table[i] = TOMBSTONE;
        break;
      }
    }
    this.live--;
    this.tombstones++;
    this.garbage += idBytes(meta);
    if (this.garbage > MIN_ARENA && this.garbage > this.arenaTop / 2) this.compactArena();
  }

  idAt(slot: number): string {
    return decodeId(this.arena, this.offsets[slot] ?? 0, this.metas[slot] ?? 0);
  }

  /** The per-slot columns grown to `slots` (the caller's own columns grow alike). */
  resize(slots: number): void {
    if (slots > MAX_SLOTS) throw new RangeError(`more than ${MAX_SLOTS} finished jobs`);
    const offsets = new Uint32Array(slots);
    offsets.set(this.offsets.subarray(0, Math.min(slots, this.offsets.length)));
    const metas = new Uint16Array(slots);
    metas.set(this.metas.subarray(0, Math.min(slots, this.metas.length)));
    this.offsets = offsets;
    this.metas = metas;
  }

  /**
   * The ids of slots 0 … count−1 as they are, when no id was deleted since the arena and the
   * table were last rebuilt (no garbage, no tombstones: the arena holds exactly those ids and
   * the table exactly those slots); undefined otherwise (then exportIds). Copies four arrays
   * whole instead of each id: the index file is written every 1 500 records (ledger-wiring.ts),
   * and with 100 000 jobs the per-id copy and re-hash was most of its cost.
   */
  exportAll(count: number): Required<IdColumns> | undefined {
    if (this.tombstones !== 0 || this.garbage !== 0 || this.live !== count) return undefined;
    return { count, arena: this.arena.slice(0, this.arenaTop), offsets: this.offsets.slice(0, count), metas: this.metas.slice(0, count), table: this.table.slice() };
  }

  /** The ids of `slots` (in that order) in a new compact arena, with their columns and table: for the index file. */
  exportIds(slots: Uint32Array): Required<IdColumns> {
    const offsets = new Uint32Array(slots.length);
    const metas = new Uint16Array(slots.length);
    let bytes = 0;
    for (const slot of slots) bytes += idBytes(this.metas[slot] ?? 0);
    const arena = new Uint8Array(bytes);
    let top = 0;
    slots.forEach((slot, i) => {
      const meta = this.metas[slot] ?? 0;
      const from = this.offsets[slot] ?? 0;
      arena.set(this.arena.subarray(from, from + idBytes(meta)), top);
      offsets[i] = top;
      metas[i] = meta;
      top += idBytes(meta);
    });
    const c = { count: slots.length, arena, offsets, metas };
    return { ...c, table: new JobIdTable(c).table };
  }

  /** The slots in use, in table order. */
  private *usedSlots(): IterableIterator<number> {
    for (const e of this.table) if (e !== EMPTY && e !== TOMBSTONE) yield (e & SLOT_BITS) - 1;
  }

  /** Puts slot + 1 with the hash's tag in the first free place; undefined, or the slot already there with the same bytes. */
  private insert(h: number, slot: number): number | undefined {
    const cap = this.table.length;
    const meta = this.metas[slot] ?? 0;
    const from = this.offsets[slot] ?? 0;
    let i = h % cap;
    for (; ; i = i + 1 === cap ? 0 : i + 1) {
      const e = this.table[i] ?? EMPTY;
      if (e === EMPTY || e === TOMBSTONE) break;
      const other = (e & SLOT_BITS) - 1;
      if (e >>> 24 === h >>> 24 && this.metas[other] === meta && this.bytesEqual(this.offsets[other] ?? 0, this.arena, from, idBytes(meta))) return other;
    }
    if (this.table[i] === TOMBSTONE) this.tombstones--;
    this.table[i] = (((h >>> 24) << 24) | (slot + 1)) >>> 0;
    this.live++;
    return undefined;
  }

  /** A new table at BUILD_LOAD for `live` ids (tombstones dropped); ids hashed again from the arena. */
  private rebuild(live: number): void {
    const slots = [...this.usedSlots()];
    this.table = new Uint32Array(Math.max(MIN_CAPACITY, Math.ceil(live / BUILD_LOAD)));
    this.live = 0;
    this.tombstones = 0;
    for (const slot of slots) this.insert(idHash(this.arena, this.offsets[slot] ?? 0, this.metas[slot] ?? 0), slot);
  }

  private growArena(need: number): void {
    // By an eighth, like the columns (finished-jobs.ts take()).
    const next = new Uint8Array(Math.max(MIN_ARENA, this.arenaTop + need, this.arena.length + (this.arena.length >> 3)));
    next.set(this.arena.subarray(0, this.arenaTop));
    this.arena = next;
  }

  /** Copies the ids in use into a new arena: memory stays bounded by what retention keeps. */
  private compactArena(): void {
    const liveBytes = this.arenaTop - this.garbage;
    const next = new Uint8Array(Math.max(MIN_ARENA, Math.ceil(liveBytes * 1.25)));
    let top = 0;
    for (const slot of this.usedSlots()) {
      const len = idBytes(this.metas[slot] ?? 0);
      const from = this.offsets[slot] ?? 0;
      next.set(this.arena.subarray(from, from + len), top);
      this.offsets[slot] = top;
      top += len;
    }
    this.arena = next;
    this.arenaTop = top;
    this.garbage = 0;
  }

  private sameBytes(slot: number): boolean {
    return this.bytesEqual(this.offsets[slot] ?? 0, this.scratch, 0, idBytes(this.probeMeta));
  }

  private bytesEqual(at: number, other: Uint8Array, from: number, len: number): boolean {
    const a = this.arena;
    for (let i = 0; i < len; i++) if (a[at + i] !== other[from + i]) return false;
    return true;
  }

  /** Encodes `id` into `scratch` (once for a set() that looks up, then adds). */
  private encode(id: string): void {
    if (id === this.probeId) return;
    if (this.scratch.length < maxEncodedBytes(id)) this.scratch = new Uint8Array(maxEncodedBytes(id));
    this.probeMeta = encodeId(id, this.scratch);
    this.probeHash = idHash(this.scratch, 0, this.probeMeta);
    this.probeId = id;
  }
}
