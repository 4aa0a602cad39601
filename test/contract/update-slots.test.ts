/**
 * The program slots and the boot guard on a real file system (issue 14 §2): a release goes into
 * the inactive slot whole, `current` switches with one rename, and the guard that runs before each
 * start counts a new version's starts and brings the old one back when it never confirms.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ProgramSlots } from '../../firmware/update/program-slots.ts';
import type { ReleaseFile } from '../../firmware/update/release-package.ts';
import type { UpdateOrder } from '../../firmware/update/update-order.ts';
import { UpdateStateFile, type UpdateState } from '../../firmware/update/update-state.ts';
import { removeDir } from '../helpers/app-rig.ts';
import { programLayout } from '../helpers/program-layout.ts';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const release = (version: string): ReleaseFile[] => [
  { path: 'kassa.mjs', mode: 0o755, data: text(`// ${version}`) },
  { path: 'release.json', mode: 0o644, data: text(JSON.stringify({ name: 'kassa-runtime', version, commit: version })) },
  { path: 'prebuilds/linux-x64/x.node', mode: 0o644, data: Uint8Array.of(7) },
];
const order: UpdateOrder = { id: 'upd-1', version: '0.2.0', size: 1, sha256: 'a'.repeat(64), chunkSize: 4096, chunks: ['b'.repeat(64)], force: false, switchAt: 'idle' };

function layout(): { root: string; program: string; data: string; slots: ProgramSlots; state: UpdateStateFile } {
  const { root, program, data } = programLayout('kassa-slots-');
  return { root, program, data, slots: new ProgramSlots(program), state: new UpdateStateFile(data) };
}

const guard = (data: string, program: string): { code: number | null; out: string } => {
  const r = spawnSync(process.execPath, ['deploy/boot-guard.mjs', data, program], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
};

const slots = suite('program slots');

slots('a release goes into the inactive slot whole; current switches with one rename', async () => {
  const t = layout();
  try {
    assert.is(t.slots.current(), 'a');
    assert.is(t.slots.inactive(), 'b');
    await t.slots.install('b', release('0.2.0'));
    assert.equal(await t.slots.stamp('b'), { name: 'kassa-runtime', version: '0.2.0', commit: '0.2.0' });
    assert.is(readFileSync(join(t.program, 'slots/b/prebuilds/linux-x64/x.node'))[0], 7);
    assert.not.ok(existsSync(join(t.program, 'slots/b.new')));
    await t.slots.switchTo('b');
    assert.is(readlinkSync(join(t.program, 'current')), 'slots/b');
    assert.is(t.slots.current(), 'b');
    assert.is(t.slots.inactive(), 'a');
    // A second install replaces the slot whole: nothing of the old release stays.
    await t.slots.install('a', release('0.3.0').filter((f) => !f.path.startsWith('prebuilds')));
    assert.not.ok(existsSync(join(t.program, 'slots/a/prebuilds')));
  } finally {
    removeDir(t.root);
  }
});

slots('a package’s modes are normalised as install.sh sets them: never group- or world-writable', async () => {
  const t = layout();
  try {
    const sloppy: ReleaseFile[] = [
      { path: 'kassa.mjs', mode: 0o777, data: text('// 0.2.0') },
      { path: 'release.json', mode: 0o666, data: text('{}') },
      { path: 'lib/x.node', mode: 0o600, data: Uint8Array.of(7) },
    ];
    await t.slots.install('b', sloppy);
    const mode = (p: string): number => statSync(join(t.program, 'slots/b', p)).mode & 0o777;
    assert.is(mode('kassa.mjs'), 0o755);
    assert.is(mode('release.json'), 0o644);
    assert.is(mode('lib/x.node'), 0o644);
  } finally {
    removeDir(t.root);
  }
});

slots.run();

const boot = suite('boot guard (deploy/boot-guard.mjs)');
const trial = (starts: number): UpdateState => ({ phase: 'trial', order, from: 'a', to: 'b', starts, maxStarts: 3, deadlineMs: 60_000 });

boot('no update under way: nothing changes', () => {
  const t = layout();
  try {
    const r = guard(t.data, t.program);
    assert.is(r.code, 0);
    assert.match(r.out, /no update under way/);
    assert.is(readlinkSync(join(t.program, 'current')), 'slots/a');
  } finally {
    removeDir(t.root);
  }
});

boot('on trial: each start is counted; past maxStarts the previous slot is back, recorded as crashed', async () => {
  const t = layout();
  try {
    await t.slots.switchTo('b');
    await t.state.write(trial(0));
    for (let start = 1; start <= 3; start++) {
      assert.match(guard(t.data, t.program).out, new RegExp(`start ${start} of at most 3 of version 0\\.2\\.0 in slot b`));
      assert.is(readlinkSync(join(t.program, 'current')), 'slots/b');
    }
    const r = guard(t.data, t.program);
    assert.is(r.code, 0);
    assert.match(r.out, /did not confirm it was healthy in 3 starts; slot a is back/);
    assert.is(readlinkSync(join(t.program, 'current')), 'slots/a');
    const s = t.state.read();
    assert.is(s?.phase, 'rolled_back');
    assert.is(s?.phase === 'rolled_back' ? s.failure.reason : '', 'crashed');
  } finally {
    removeDir(t.root);
  }
});

boot('a power cut before the switch: trial becomes staged again, the old slot runs', async () => {
  const t = layout();
  try {
    await t.state.write(trial(0)); // current still at a
    assert.match(guard(t.data, t.program).out, /did not happen; staged again/);
    assert.is(t.state.read()?.phase, 'staged');
    assert.is(readlinkSync(join(t.program, 'current')), 'slots/a');
  } finally {
    removeDir(t.root);
  }
});

boot('a power cut between recording the roll-back and doing it: the guard finishes it', async () => {
  const t = layout();
  try {
    await t.slots.switchTo('b');
    await t.state.write({ phase: 'rolled_back', order, from: 'a', to: 'b', failure: { reason: 'unhealthy', message: 'x' } });
    assert.match(guard(t.data, t.program).out, /rolled back to slot a/);
    assert.is(readlinkSync(join(t.program, 'current')), 'slots/a');
    assert.is(t.state.read()?.phase, 'rolled_back'); // the old version reports it
  } finally {
    removeDir(t.root);
  }
});

boot('a state file it cannot read never stops the start', () => {
  const t = layout();
  try {
    mkdirSync(join(t.data, 'update'));
    const r = spawnSync(process.execPath, ['deploy/boot-guard.mjs'], { encoding: 'utf8' });
    assert.is(r.status, 0);
    assert.match(r.stderr, /usage: .* \(starting anyway\)/);
  } finally {
    removeDir(t.root);
  }
});

boot.run();
