/**
 * The updater as one service (issue 14 §2), on a real file system, with the cloud's chunk server
 * in the same process instead of MQTT: order → chunks → slot → switch → the new version confirms;
 * refusals and failures that change nothing; a download that resumes after a power cut; a trial
 * that does not confirm in time brings the previous slot back.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../../firmware/core/clock.ts';
import { silentLog } from '../../firmware/core/log.ts';
import { ChunkServer } from '../../firmware/update/chunk-server.ts';
import { decode } from 'cbor-x';
import { ProgramSlots } from '../../firmware/update/program-slots.ts';
import { chunkPlan, encodeReleasePackage, type ReleaseFile } from '../../firmware/update/release-package.ts';
import { Updater, UPDATER_DEFAULTS, type UpdateReport, type UpdaterOptions } from '../../firmware/update/updater.ts';
import { UpdateStateFile } from '../../firmware/update/update-state.ts';
import { removeDir } from '../helpers/app-rig.ts';
import { programLayout } from '../helpers/program-layout.ts';
import { pollUntil } from '../helpers/poll.ts';

const CHUNK = 4096;
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const releaseFiles = (version: string): ReleaseFile[] => [
  { path: 'kassa.mjs', mode: 0o755, data: new Uint8Array(20_000).map((_, i) => (i * 7 + version.length) % 256) },
  { path: 'release.json', mode: 0o644, data: text(JSON.stringify({ name: 'kassa-runtime', version, commit: `c-${version}` })) },
];
const packageOf = (version: string): Uint8Array => encodeReleasePackage({ release: { name: 'kassa-runtime', version, commit: `c-${version}` }, files: releaseFiles(version) });
const orderBody = (bytes: Uint8Array, version: string, over: Record<string, unknown> = {}): Record<string, unknown> => ({ version, ...chunkPlan(bytes, CHUNK), ...over });

interface Rig {
  /** One stepped clock for every updater of the rig (DESIGN.md §4): a test advances it. */
  clock: ManualClock;
  root: string;
  program: string;
  data: string;
  reports: UpdateReport[];
  restarts: number;
  served: ChunkServer | undefined;
  updater(version: string, options?: Partial<UpdaterOptions>, fetch?: (index: number) => Promise<Uint8Array>): Updater;
}

function rig(): Rig {
  const { root, program, data } = programLayout('kassa-updater-');
  const r: Rig = {
    clock: new ManualClock(Date.parse('2026-11-30T10:00:00Z')),
    root,
    program,
    data,
    reports: [],
    restarts: 0,
    served: undefined,
    updater(version, options = {}, fetch) {
      return new Updater(
        {
          slots: new ProgramSlots(program),
          state: new UpdateStateFile(data),
          clock: r.clock,
          log: silentLog(),
          running: { name: 'kassa-runtime', version, commit: `c-${version}` },
          fetchChunk: (order, index) => {
            if (fetch) return fetch(index);
            const a = r.served?.answer(text(JSON.stringify({ id: order.id, index })));
            if (!a) return Promise.reject(new Error('no such chunk'));
            return Promise.resolve((decode(a.payload) as { data: Uint8Array }).data);
          },
          idle: () => true,
          shiftOpen: async () => false,
          restart: () => void r.restarts++,
          report: async (rep) => void r.reports.push(rep),
        },
        { ...UPDATER_DEFAULTS, switchCheckMs: 1, ...options },
      );
    },
  };
  return r;
}

/**
 * Waits for the updater's background work, which writes real files with fsync and so takes
 * real time: the shared poll on a condition, not a fixed sleep.
 */
function until(check: () => boolean, what: string): Promise<void> {
  return pollUntil(check, { timeoutMs: 10_000, intervalMs: 2, what });
}

const updater = suite('updater');

updater('N → N+1: chunks checked, slot b written, switched, restarted; the new version confirms and reports done', async () => {
  const r = rig();
  try {
    const bytes = packageOf('0.2.0');
    r.served = new ChunkServer('upd-1', bytes, CHUNK);
    const old = r.updater('0.1.0');
    await old.start();
    const answer = await old.order('upd-1', orderBody(bytes, '0.2.0'));
    assert.equal(answer, { id: 'upd-1', status: 'accepted', release: '0.2.0' });
    await until(() => r.restarts === 1, 'restart');
    assert.equal(r.reports.map((x) => x.status), ['staged', 'switching']);
    assert.is(readlinkSync(join(r.program, 'current')), 'slots/b');
    assert.equal([...r.served.served.values()], Array(r.served.chunkCount).fill(1)); // each chunk asked for once
    assert.ok(r.served.chunkCount >= 5);
    assert.is(new UpdateStateFile(r.data).read()?.phase, 'trial');
    await old.stop();

    const fresh = r.updater('0.2.0');
    await fresh.start();
    await fresh.confirmHealthy();
    assert.equal(r.reports.at(-1), { id: 'upd-1', release: '0.2.0', status: 'done' });
    assert.is(new UpdateStateFile(r.data).read(), undefined);
    await fresh.stop();
  } finally {
    removeDir(r.root);
  }
});

updater('refusals change nothing: older, malformed, already busy', async () => {
  const r = rig();
  try {
    const u = r.updater('0.1.0');
    await u.start();
    const bytes = packageOf('0.0.9');
    const older = await u.order('upd-old', orderBody(bytes, '0.0.9'));
    assert.equal({ status: older.status, reason: older.reason }, { status: 'fail', reason: 'not_newer' });
    const bad = await u.order('upd-bad', orderBody(bytes, '0.2.0', { sha256: 'nope' }));
    assert.equal({ status: bad.status, reason: bad.reason }, { status: 'fail', reason: 'malformed' });
    assert.is(new UpdateStateFile(r.data).read(), undefined);
    assert.is(readlinkSync(join(r.program, 'current')), 'slots/a');
    // Busy: a download that never completes holds the updater.
    const hanging = r.updater('0.1.0', {}, () => new Promise(() => undefined));
    await hanging.start();
    const good = packageOf('0.2.0');
    assert.is((await hanging.order('upd-2', orderBody(good, '0.2.0'))).status, 'accepted');
    const second = await hanging.order('upd-3', orderBody(good, '0.2.0'));
    assert.equal({ status: second.status, reason: second.reason }, { status: 'fail', reason: 'busy' });
  } finally {
    removeDir(r.root);
  }
});

updater('a tampered chunk fails the update: slot b untouched, download deleted, current unchanged', async () => {
  const r = rig();
  try {
    const bytes = packageOf('0.2.0');
    const server = new ChunkServer('upd-t', bytes, CHUNK);
    const u = r.updater('0.1.0', {}, async (index) => {
      const a = server.answer(text(JSON.stringify({ id: 'upd-t', index })), (i, d) => (i === 2 ? d.map((b) => b ^ 1) : d));
      return (decode(a!.payload) as { data: Uint8Array }).data;
    });
    await u.start();
    await u.order('upd-t', orderBody(bytes, '0.2.0'));
    await until(() => r.reports.length > 0, 'a report');
    assert.equal({ status: r.reports[0]?.status, reason: r.reports[0]?.reason }, { status: 'fail', reason: 'chunk_hash' });
    assert.match(r.reports[0]?.message ?? '', /chunk 2 is not the one the signed order names/);
    assert.equal(readdirSync(join(r.program, 'slots/b')), []);
    // Reported first, then forgotten: a power cut between the two repeats the report instead of losing it.
    await until(() => !existsSync(join(r.data, 'update')), 'the partial download deleted');
    assert.is(readlinkSync(join(r.program, 'current')), 'slots/a');
    assert.is(r.restarts, 0);
  } finally {
    removeDir(r.root);
  }
});

updater('a power cut mid-download: the next start resumes after the chunks already on disk', async () => {
  const r = rig();
  try {
    const bytes = packageOf('0.2.0');
    r.served = new ChunkServer('upd-r', bytes, CHUNK);
    let allowed = 3;
    const first = r.updater('0.1.0', { chunkTries: 1 }, (index) => {
      if (allowed-- <= 0) return new Promise(() => undefined); // the power goes while chunk 3 travels
      const a = r.served!.answer(text(JSON.stringify({ id: 'upd-r', index })));
      return Promise.resolve((decode(a!.payload) as { data: Uint8Array }).data);
    });
    await first.start();
    await first.order('upd-r', orderBody(bytes, '0.2.0'));
    await until(() => r.served!.served.size === 3, 'three chunks');
    // "Power cut": the first updater is simply abandoned; a new process starts from the files.
    const second = r.updater('0.1.0');
    await second.start();
    await until(() => r.restarts === 1, 'the switch');
    // Chunks 0–2 came once, before the cut; the rest once, after it: none was fetched twice.
    assert.equal([...r.served.served.entries()].sort((a, b) => a[0] - b[0]), Array.from({ length: r.served.chunkCount }, (_, i) => [i, 1]));
    assert.is(readlinkSync(join(r.program, 'current')), 'slots/b');
  } finally {
    removeDir(r.root);
  }
});

updater('a new version that does not prove itself healthy in time: the previous slot comes back, reported as unhealthy', async () => {
  const r = rig();
  try {
    const bytes = packageOf('0.2.0');
    r.served = new ChunkServer('upd-h', bytes, CHUNK);
    // The deadline is the switching version's: it writes it into the trial state.
    const old = r.updater('0.1.0', { trialDeadlineMs: 20 });
    await old.start();
    await old.order('upd-h', orderBody(bytes, '0.2.0'));
    await until(() => r.restarts === 1, 'the switch');
    await old.stop();
    // The new version starts but never calls confirmHealthy(): its deadline passes.
    const fresh = r.updater('0.2.0');
    await fresh.start();
    assert.is(r.restarts, 1, 'nothing happens before the deadline');
    r.clock.advance(20);
    await until(() => r.restarts === 2, 'the roll-back restart');
    assert.is(readlinkSync(join(r.program, 'current')), 'slots/a');
    const s = new UpdateStateFile(r.data).read();
    assert.is(s?.phase, 'rolled_back');
    await fresh.stop();
    // The previous version starts again and reports it.
    const back = r.updater('0.1.0');
    await back.start();
    assert.equal({ status: r.reports.at(-1)?.status, reason: r.reports.at(-1)?.reason }, { status: 'fail', reason: 'unhealthy' });
    assert.is(new UpdateStateFile(r.data).read(), undefined);
  } finally {
    removeDir(r.root);
  }
});

updater.run();
