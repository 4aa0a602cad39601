/** The update order inside a signed command, and the release package format (issue 14 §2). */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chunkPlan, decodeReleasePackage, encodeReleasePackage, sha256Hex, type ReleaseFile } from '../../firmware/update/release-package.ts';
import { UpdateError } from '../../firmware/update/update-error.ts';
import { compareVersions, parseUpdateOrder } from '../../firmware/update/update-order.ts';

const reasonOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof UpdateError) return `${e.reason}: ${e.message}`;
    throw e;
  }
  return 'no error';
};

const order = suite('update order');
const body = (over: Record<string, unknown> = {}): Record<string, unknown> => ({ version: '0.2.0', size: 10_000, sha256: 'a'.repeat(64), chunkSize: 4096, chunks: ['b'.repeat(64), 'c'.repeat(64), 'd'.repeat(64)], ...over });

order('versions compare by number, a pre-release before its release', () => {
  assert.ok(compareVersions('0.10.0', '0.9.9') > 0);
  assert.ok(compareVersions('1.0.0', '1.0.0-rc.1') > 0);
  assert.ok(compareVersions('1.0.0-rc.1', '1.0.0-rc.2') < 0);
  assert.is(compareVersions('2.3.4', '2.3.4'), 0);
});

order('a whole order parses, with defaults for force and switchAt', () => {
  const o = parseUpdateOrder('u1', body(), '0.1.0', 1 << 20);
  assert.equal({ v: o.version, n: o.chunks.length, force: o.force, at: o.switchAt }, { v: '0.2.0', n: 3, force: false, at: 'idle' });
});

order('every malformed field is named', () => {
  assert.match(reasonOf(() => parseUpdateOrder('u1', body({ version: 'latest' }), '0.1.0', 1 << 20)), /^malformed: update u1: version/);
  assert.match(reasonOf(() => parseUpdateOrder('u1', body({ sha256: 'XYZ' }), '0.1.0', 1 << 20)), /^malformed: .*sha256/);
  assert.match(reasonOf(() => parseUpdateOrder('u1', body({ chunkSize: 100 }), '0.1.0', 1 << 20)), /^malformed: .*chunkSize/);
  assert.match(reasonOf(() => parseUpdateOrder('u1', body({ chunks: ['b'.repeat(64)] }), '0.1.0', 1 << 20)), /^malformed: .*must hold 3 hashes/);
  assert.match(reasonOf(() => parseUpdateOrder('u1', body({ switchAt: 'now' }), '0.1.0', 1 << 20)), /^malformed: .*switchAt/);
});

order('not newer is refused unless forced; too large is refused', () => {
  assert.match(reasonOf(() => parseUpdateOrder('u1', body({ version: '0.1.0' }), '0.1.0', 1 << 20)), /^not_newer: .*0\.1\.0 is not newer than the running 0\.1\.0/);
  assert.match(reasonOf(() => parseUpdateOrder('u1', body({ version: '0.0.9' }), '0.1.0', 1 << 20)), /^not_newer/);
  assert.is(parseUpdateOrder('u1', body({ version: '0.0.9', force: true }), '0.1.0', 1 << 20).version, '0.0.9');
  assert.match(reasonOf(() => parseUpdateOrder('u1', body(), '0.1.0', 9_999)), /^too_large: .*10000 bytes is more than the 9999/);
});

order.run();

const pkg = suite('release package');
const stamp = { name: 'kassa-runtime', version: '0.2.0', commit: 'abcdef123456' };
const files = (over: ReleaseFile[] = []): ReleaseFile[] => [
  { path: 'kassa.mjs', mode: 0o755, data: new TextEncoder().encode('console.log(1)') },
  { path: 'release.json', mode: 0o644, data: new TextEncoder().encode(JSON.stringify(stamp)) },
  { path: 'prebuilds/linux-x64/b.node', mode: 0o644, data: Uint8Array.of(1, 2, 3) },
  ...over,
];

pkg('round trip keeps paths, modes and bytes', () => {
  const back = decodeReleasePackage(encodeReleasePackage({ release: stamp, files: files() }));
  assert.equal(back.release, stamp);
  assert.equal(back.files.map((f) => [f.path, f.mode, [...f.data].length]), [['kassa.mjs', 0o755, 14], ['release.json', 0o644, JSON.stringify(stamp).length], ['prebuilds/linux-x64/b.node', 0o644, 3]]);
});

pkg('a path that could leave the slot is refused', () => {
  for (const path of ['../etc/passwd', '/etc/passwd', 'a/../../b', 'a//b', './kassa.mjs', 'a\\b']) {
    const bytes = encodeReleasePackage({ release: stamp, files: files([{ path, mode: 0o644, data: Uint8Array.of(0) }]) });
    assert.match(reasonOf(() => decodeReleasePackage(bytes)), /^package_invalid: release package: unsafe path/, path);
  }
});

pkg('a missing program, a stamp that disagrees, or no CBOR at all is refused', () => {
  assert.match(reasonOf(() => decodeReleasePackage(encodeReleasePackage({ release: stamp, files: files().slice(1) }))), /kassa\.mjs missing/);
  assert.match(reasonOf(() => decodeReleasePackage(encodeReleasePackage({ release: { ...stamp, version: '0.3.0' }, files: files() }))), /release\.json says 0\.2\.0 \(abcdef123456\), the package 0\.3\.0/);
  assert.match(reasonOf(() => decodeReleasePackage(Uint8Array.of(0xff, 0xff))), /^package_invalid/);
});

pkg('a launcher without the program it runs is refused; a release from before the launcher is not', () => {
  const launcher = { path: 'kassa.mjs', mode: 0o755, data: new TextEncoder().encode('import"node:fs";const p=join(here,"kassa-main.cjs");') };
  const withLauncher = (more: ReleaseFile[]): ReleaseFile[] => [launcher, ...files().slice(1), ...more];
  assert.match(reasonOf(() => decodeReleasePackage(encodeReleasePackage({ release: stamp, files: withLauncher([]) }))), /^package_invalid: release package: kassa-main\.cjs \(kassa\.mjs is the launcher that runs it\) missing$/);
  const whole = decodeReleasePackage(encodeReleasePackage({ release: stamp, files: withLauncher([{ path: 'kassa-main.cjs', mode: 0o644, data: new TextEncoder().encode('(function(){})') }]) }));
  assert.equal(whole.files.map((f) => f.path).sort(), ['kassa-main.cjs', 'kassa.mjs', 'prebuilds/linux-x64/b.node', 'release.json']);
  // One kassa.mjs bundle (releases before firmware/launch/): still a release to go back to.
  assert.is(decodeReleasePackage(encodeReleasePackage({ release: stamp, files: files() })).files.length, 3);
});

pkg('the chunk plan hashes each chunk and the whole', () => {
  const bytes = new Uint8Array(10_000).map((_, i) => i % 251);
  const plan = chunkPlan(bytes, 4096);
  assert.is(plan.chunks.length, 3);
  assert.is(plan.chunks[2], sha256Hex(bytes.subarray(8192)));
  assert.is(plan.sha256, sha256Hex(bytes));
});

pkg.run();
