/**
 * The finished-job index (firmware/jobs/finished-jobs.ts, job-id-table.ts, job-id-bytes.ts,
 * issue 9 §5): ids as bytes with an open-addressing table must stay exact — a collision may
 * never make a new job look like a repeat (it would lose a receipt) — and memory must stay
 * bounded by what is kept as jobs come and go.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FinishedJobs, type FinishedJob } from '../../firmware/jobs/finished-jobs.ts';
import { encodeId, idHash } from '../../firmware/jobs/job-id-bytes.ts';
import { JOB_TYPES } from '../../firmware/jobs/job.ts';
import { seededRandom, type SeededRandom } from '../helpers/seeded-random.ts';

const test = suite('finished jobs');

/** Two ids whose whole 32-bit hashes are equal (found by a search over random ids): same bucket, same tag. */
const COLLIDING = ['order-mug4f5lj3x', 'order-0nf2u1nb0k'] as const;
const UUID = '5f0c2a1e-7b3d-4c9a-8e21-00000000beef';

/** Every kind of id the job schema lets in (1–64 characters but controls), and the local API's. */
const IDS = [
  UUID,
  UUID.toUpperCase(),
  '5F0C2A1E-7b3d-4c9a-8e21-00000000beef', // mixed case: kept as text, not as a UUID
  '12345678-1234-1234-1234-123456789012', // digits only
  '5f0c2a1e_7b3d-4c9a-8e21-00000000beef',
  'a',
  'заказ-№17',
  'чек 🧾 1',
  '\ud800', // lone surrogates: UTF-8 would make both U+FFFD
  '\udbff',
  'x\udc00y',
  'z'.repeat(64),
  'local:2f1e0c7a-req.1/3',
  ...COLLIDING,
];

function job(id: string, n: number, extra: Partial<FinishedJob> = {}): FinishedJob {
  return {
    id,
    seq: n,
    failed: n % 3 === 0,
    type: n % 5 === 0 ? undefined : JOB_TYPES[n % JOB_TYPES.length],
    acceptedAt: 1_780_000_000_000 + n,
    finishedAt: 1_780_000_000_500 + n,
    reported: n % 2 === 0,
    rejected: n % 7 === 0,
    result: { seq: 1 + (n >>> 4), offset: 100 * n },
    accepted: n % 4 === 0 ? undefined : { seq: 1 + (n >>> 4), offset: 100 * n - 40 },
    ...extra,
  };
}

const byId = (jobs: Iterable<FinishedJob>): FinishedJob[] => [...jobs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

test('ids of every kind come back exactly, and only the very id finds its job', () => {
  const jobs = new FinishedJobs();
  IDS.forEach((id, i) => jobs.set(job(id, i + 1)));
  assert.is(jobs.size, IDS.length, 'no two of them met');
  IDS.forEach((id, i) => assert.equal(jobs.get(id), job(id, i + 1), JSON.stringify(id)));
  assert.equal(byId(jobs.all()), byId(IDS.map((id, i) => job(id, i + 1))), 'all() decodes every id from the arena as it was');
  for (const near of [UUID.replace('beef', 'beee'), UUID.slice(0, 35), `${UUID} `, 'A', '\ud801', 'заказ-№18', 'z'.repeat(63), '']) {
    assert.not.ok(jobs.has(near), `${JSON.stringify(near)} is not held`);
  }
});

test('a full 32-bit hash collision: the two ids stay two jobs, each found, deleted and taken again on its own', () => {
  const [a, b] = COLLIDING;
  const scratch = new Uint8Array(256);
  assert.is(idHash(scratch, 0, encodeId(a, scratch)), idHash(scratch, 0, encodeId(b, scratch)), 'the pair does collide');
  const jobs = new FinishedJobs();
  jobs.set(job(a, 1));
  assert.not.ok(jobs.has(b), 'a new job under the other id is not a repeat');
  jobs.set(job(b, 2));
  assert.is(jobs.get(a)?.seq, 1);
  assert.is(jobs.get(b)?.seq, 2);
  jobs.markReported(b);
  assert.is(jobs.get(a)?.reported, false, 'marking one leaves the other');
  assert.ok(jobs.delete(a));
  assert.not.ok(jobs.has(a));
  assert.equal(jobs.get(b), job(b, 2, { reported: true }), 'found past the tombstone');
  jobs.set(job(a, 3));
  assert.equal(byId(jobs.all()).map((j) => [j.id, j.seq]), [[b, 2], [a, 3]].sort(), 'taken again');
  const back = FinishedJobs.fromColumns(jobs.columns());
  assert.equal(byId(back.all()), byId(jobs.all()), 'through the columns too');
});

test('deleted slots are reused and the arena rebuilt: memory follows what is kept, not what went through', () => {
  const jobs = new FinishedJobs();
  const idOf = (n: number): string => `retained-${n}-${'x'.repeat(n % 40)}`;
  const kept = 2000;
  for (let n = 0; n < kept; n++) jobs.set(job(idOf(n), n));
  const steady = jobs.footprint();
  // Ten times the kept number go through, each forgotten `kept` jobs later (retention).
  for (let n = kept; n < 11 * kept; n++) {
    assert.ok(jobs.delete(idOf(n - kept)));
    jobs.set(job(idOf(n), n));
  }
  assert.is(jobs.size, kept);
  assert.is(jobs.footprint().slots, steady.slots, 'no slot beyond the ones first grown');
  assert.ok(jobs.footprint().bytes <= 2 * steady.bytes, `bytes ${jobs.footprint().bytes} vs ${steady.bytes} at first: the arena and the table are rebuilt, not grown`);
  for (let n = 10 * kept; n < 11 * kept; n++) assert.equal(jobs.get(idOf(n)), job(idOf(n), n));
  assert.not.ok(jobs.has(idOf(10 * kept - 1)));
  const forgotten: string[] = [];
  assert.is(jobs.deleteFinishedBefore(1_780_000_000_500 + 10 * kept + 100, 50, (id) => forgotten.push(id)), 50);
  assert.equal(forgotten.sort(), Array.from({ length: 50 }, (_, i) => idOf(10 * kept + i)).sort(), 'retention deletes exactly the ones past keepMs');
});

test('columns round trip: exact sizes, the stored table or one built again', () => {
  const jobs = new FinishedJobs();
  IDS.forEach((id, i) => jobs.set(job(id, i + 1)));
  jobs.delete(IDS[3] ?? '');
  const c = jobs.columns();
  assert.is(c.count, IDS.length - 1);
  assert.is(c.seq.length, c.count, 'no free slots in the copy');
  // fromColumns takes the arrays as they are: each gets its own copy.
  for (const back of [FinishedJobs.fromColumns(jobs.columns()), FinishedJobs.fromColumns({ ...jobs.columns(), ids: { ...jobs.columns().ids, table: undefined } })]) {
    assert.equal(byId(back.all()), byId(jobs.all()));
    assert.is(back.failures(), jobs.failures());
    assert.equal(byId(back.unreported()), byId(jobs.unreported()));
    back.set(job('after-load', 99));
    assert.ok(back.has('after-load') && back.has(IDS[0] ?? ''), 'grows from exact sizes');
  }
  const twice = { ...c, ids: { ...c.ids, offsets: c.ids.offsets.map((o, i) => (i === 1 ? (c.ids.offsets[0] ?? 0) : o)), metas: c.ids.metas.map((m, i) => (i === 1 ? (c.ids.metas[0] ?? 0) : m)), table: undefined } };
  assert.throws(() => FinishedJobs.fromColumns(twice), /twice/, 'columns that name one id twice are refused');
  const table = c.ids.table ?? new Uint32Array(0);
  const lost = table.map((e, i) => (i === table.findIndex((x) => x !== 0) ? 0 : e));
  assert.throws(() => FinishedJobs.fromColumns({ ...c, ids: { ...c.ids, table: lost } }), /every slot/, 'a stored table that lost a slot is refused, not trusted');
});

test('columns of an index that never lost a job are copied whole, and come back the same', () => {
  const jobs = new FinishedJobs();
  IDS.forEach((id, i) => jobs.set(job(id, i + 1)));
  const c = jobs.columns();
  assert.is(c.count, IDS.length);
  const back = FinishedJobs.fromColumns(c);
  assert.equal(byId(back.all()), byId(jobs.all()));
  for (const id of IDS) assert.equal(back.get(id), jobs.get(id), id);
  assert.not.ok(back.has('no-such-job'));
  // The same jobs set in another order (another arena and table) give the same index back.
  const other = new FinishedJobs();
  [...IDS].reverse().forEach((id) => other.set(jobs.get(id) ?? job(id, 0)));
  assert.equal(byId(FinishedJobs.fromColumns(other.columns()).all()), byId(back.all()));
});

/** One step of the model test: the same operation on the index and on a Map. */
function step(random: SeededRandom, pool: readonly string[], jobs: FinishedJobs, model: Map<string, FinishedJob>, n: number): void {
  const id = pool[random.between(0, pool.length)] ?? '';
  const op = random.next();
  if (op < 0.45) {
    const j = job(id, n);
    jobs.set(j);
    model.set(id, j);
  } else if (op < 0.75) {
    assert.is(jobs.delete(id), model.delete(id), `delete ${JSON.stringify(id)}`);
  } else if (op < 0.85) {
    jobs.markReported(id);
    const m = model.get(id);
    if (m) model.set(id, { ...m, reported: true });
  } else {
    assert.equal(jobs.get(id), model.get(id), `get ${JSON.stringify(id)}`);
    assert.is(jobs.has(id), model.has(id));
  }
}

test('seeded random operations agree with a plain Map (replay: KASSA_TEST_SEED)', () => {
  const random = seededRandom('finished jobs model');
  const pool = [...IDS, ...Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? `5f0c2a1e-7b3d-4c9a-8e21-${String(i).padStart(12, '0')}` : `job-${i}-${'é'.repeat(i % 5)}`))];
  let jobs = new FinishedJobs();
  const model = new Map<string, FinishedJob>();
  for (let n = 1; n <= 20_000; n++) {
    step(random, pool, jobs, model, n);
    if (n % 2500 === 0) {
      assert.is(jobs.size, model.size, `size at step ${n}`);
      assert.equal(byId(jobs.all()), byId(model.values()), `all() at step ${n}`);
      assert.equal(byId(jobs.unreported()), byId([...model.values()].filter((j) => !j.reported)));
      assert.is(jobs.failures(), [...model.values()].filter((j) => j.failed).length);
      jobs = FinishedJobs.fromColumns(jobs.columns());
    }
  }
  for (const id of pool) assert.equal(jobs.get(id), model.get(id), `get ${JSON.stringify(id)} at the end`);
});

test.run();
