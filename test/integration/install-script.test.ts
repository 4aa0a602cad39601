/**
 * Issue 14 §1: the release folder `npm run build` makes, and its install script run as root into
 * a throwaway root (a directory tree with its own /etc/passwd): the user, directories, owners,
 * modes, slots and unit it leaves; that a second run changes nothing; that a new release goes
 * into the other slot; that it refuses a missing or old Node.js and then leaves nothing behind;
 * and that `systemd-analyze verify` accepts the unit with its drop-ins, without a warning.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeDir } from '../helpers/app-rig.ts';
import { freePort } from '../helpers/mosquitto.ts';
import { pollUntil } from '../helpers/poll.ts';

interface Run {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

function run(cmd: string, args: readonly string[], env: Record<string, string> = {}): Run {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A root with just enough of /etc for useradd --prefix: root, and no kassa or dialout yet. */
function throwawayRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'kassa-root-'));
  mkdirSync(join(root, 'etc'));
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\n');
  writeFileSync(join(root, 'etc/shadow'), 'root:*:19000:0:99999:7:::\n', { mode: 0o640 });
  writeFileSync(join(root, 'etc/gshadow'), 'root:*::\n', { mode: 0o640 });
  return root;
}

/** Every path below `root` with its type, mode, owner, and content hash or link target. */
function snapshot(root: string, at = ''): string[] {
  const lines: string[] = [];
  for (const name of readdirSync(join(root, at)).sort()) {
    const rel = `${at}/${name}`;
    const st = lstatSync(join(root, rel));
    const what = st.isSymbolicLink() ? `-> ${readlinkSync(join(root, rel))}` : st.isFile() ? createHash('sha256').update(readFileSync(join(root, rel))).digest('hex').slice(0, 16) : 'dir';
    lines.push(`${rel} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid} ${what}`);
    if (st.isDirectory()) lines.push(...snapshot(root, rel));
  }
  return lines;
}

const mode = (path: string): string => (lstatSync(path).mode & 0o7777).toString(8);
const owner = (path: string): string => `${lstatSync(path).uid}:${lstatSync(path).gid}`;
const field = (file: string, name: string, index: number): string => readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith(`${name}:`))?.split(':')[index] ?? '';

const work = mkdtempSync(join(tmpdir(), 'kassa-release-'));
const release = join(work, 'dist');

test.before(() => {
  const built = run(process.execPath, ['build.mjs']);
  assert.is(built.code, 0, built.err);
  cpSync('dist', release, { recursive: true });
});
test.after(() => removeDir(work));

test('the release folder: launcher and minified program, maps apart, bindings for three boards, stamp, deploy/', () => {
  for (const f of ['kassa.mjs', 'kassa.mjs.map', 'kassa-main.cjs', 'kassa-main.cjs.map', 'release.json', 'deploy/install.sh', 'deploy/kassa.service', 'deploy/config.example.json']) assert.ok(existsSync(join(release, f)), f);
  for (const t of ['linux-x64', 'linux-arm', 'linux-arm64']) assert.ok(readdirSync(join(release, 'prebuilds', t)).some((f) => f.endsWith('.node')), t);
  assert.not.match(readFileSync(join(release, 'kassa.mjs'), 'utf8'), /sourceMappingURL/, 'the map is apart, not linked');
  const bundle = readFileSync(join(release, 'kassa-main.cjs'), 'utf8');
  assert.not.match(bundle, /sourceMappingURL/, 'the map is apart, not linked');
  // The launcher compiles it as it is: the function Node wraps a module in, strict like the ES modules it is made of.
  assert.ok(bundle.startsWith('(function (exports, require, module, __filename, __dirname) {"use strict";\n'), bundle.slice(0, 80));
  assert.match(bundle, /\n\}\)\n(\/\*![^\n]*\*\/\n)?$/, 'ends the function (a licence pointer may follow)');
  // Minified: long lines (template literals keep their own line breaks, so count length, not lines).
  const perLine = bundle.length / bundle.split('\n').length;
  assert.ok(perLine > 2000, `minified: ${perLine.toFixed(0)} characters a line`);
  const stamp = JSON.parse(readFileSync(join(release, 'release.json'), 'utf8')) as { version: string; commit: string };
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  assert.is(stamp.version, pkg.version);
  assert.match(stamp.commit, /^[0-9a-f]{12}(-dirty)?$/);
  const version = run(process.execPath, [join(release, 'kassa.mjs'), '--version']);
  assert.is(version.code, 0, version.err);
  assert.match(version.out, new RegExp(`^kassa-runtime ${pkg.version.replace(/\./g, '\\.')} \\(commit ${stamp.commit}, built \\d{4}-\\d\\d-\\d\\dT`));
});

test('the bundle: ASCII only, and the MQTT paths it loads on first call (WebSocket, SOCKS proxy) still work', () => {
  for (const file of ['kassa.mjs', 'kassa-main.cjs']) {
    const text = readFileSync(join(release, file), 'latin1');
    assert.is(text.search(/[^\x00-\x7f]/), -1, `${file}: one two-byte character would make V8 hold the whole source as UTF-16`);
  }
  // Nothing listens on port 9: each path must get as far as the TCP connect of its own code.
  const ws = run(process.execPath, [join(release, 'kassa.mjs'), 'send-job', '--url', 'ws://127.0.0.1:9/mqtt', '--timeout-ms', '2000', 'device-config/samples/sell-atol.json']);
  assert.match(ws.err, /cannot reach the broker at ws:\/\/127\.0\.0\.1:9\/mqtt: connect ECONNREFUSED 127\.0\.0\.1:9/);
  const socks = run(process.execPath, [join(release, 'kassa.mjs'), 'send-job', '--url', 'mqtt://127.0.0.1:1883', '--timeout-ms', '2000', 'device-config/samples/sell-atol.json'], { MQTTJS_SOCKS_PROXY: 'socks5://127.0.0.1:9' });
  assert.match(socks.err, /cannot reach the broker at mqtt:\/\/127\.0\.0\.1:1883: connect ECONNREFUSED 127\.0\.0\.1:9/, 'through the proxy on port 9, not to the broker');
});

interface BundleDemo {
  readonly config: string;
  readonly dataDir: string;
  readonly err: () => string;
  /** SIGKILL, as a power cut: what the register wrote must already be whole. */
  stop(): Promise<void>;
}

/** The release's register in demo mode, every port its own (a demo register left running on this machine holds demo.json's), once it runs. */
async function startBundleDemo(name: string, env: Record<string, string> = {}): Promise<BundleDemo> {
  const demo = JSON.parse(readFileSync('device-config/demo.json', 'utf8')) as Record<string, Record<string, unknown>>;
  const config = join(work, `${name}.json`);
  const dataDir = join(work, name);
  writeFileSync(config, JSON.stringify({ ...demo, dataDir, console: { kind: 'none' }, localApi: { ...demo['localApi'], port: await freePort() }, mqtt: { broker: { kind: 'embedded', host: '127.0.0.1', port: await freePort() } } }));
  const register = spawn(process.execPath, [join(release, 'kassa.mjs'), 'run', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const gone = new Promise((r) => register.once('exit', r));
  const stop = async (): Promise<void> => {
    register.kill('SIGKILL');
    await gone;
  };
  let out = '';
  let err = '';
  register.stdout?.on('data', (chunk: Buffer) => void (out += chunk.toString()));
  register.stderr?.on('data', (chunk: Buffer) => void (err += chunk.toString()));
  try {
    // A register that cannot start exits with its reason: stop waiting then, and show it.
    await pollUntil(() => out.includes('kassa-runtime is running') || register.exitCode !== null, { timeoutMs: 30_000, what: () => `the bundled register to start; stderr:\n${err}` });
    assert.is(register.exitCode, null, `the bundled register exited:\n${err}`);
  } catch (e) {
    await stop();
    throw e;
  }
  return { config, dataDir, err: () => err, stop };
}

test('kassa stack maps frames of the program and its launcher back to their sources, with the maps beside them', () => {
  /** `file:line:column` (1-based, as V8 prints frames) of the first place `text` is in a built file. */
  const placeOf = (file: string, text: string): string => {
    const built = readFileSync(join(release, file), 'latin1');
    const lines = built.slice(0, built.indexOf(text)).split('\n');
    return `${file}:${lines.length}:${(lines[lines.length - 1]?.length ?? 0) + 1}`;
  };
  const lineOf = (source: string, text: string): number => readFileSync(source, 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;
  const trace = [
    'Error: boom',
    `    at Zq (/opt/my kassa/slots/a/${placeOf('kassa-main.cjs', 'kassa <command> --help shows its options')})`,
    `    at /opt/kassa/slots/a/${placeOf('kassa.mjs', 'is not a program for this launcher')}`,
    '    at Xy (/opt/kassa/slots/a/kassa-main.cjs:99999:1)',
    '    at node:internal/main:1:1',
    '',
  ].join('\n');
  const mapped = spawnSync(process.execPath, [join(release, 'kassa.mjs'), 'stack'], { input: trace, encoding: 'utf8' });
  assert.is(mapped.status, 0, mapped.stderr);
  const out = mapped.stdout.split('\n');
  assert.is(out[1], `    at Zq (firmware/main.ts:${lineOf('firmware/main.ts', 'kassa <command> --help shows its options')}:${/:(\d+)\)$/.exec(out[1] ?? '')?.[1]})`);
  assert.match(out[2] ?? '', new RegExp(`^    at firmware/launch/program-loader\\.ts:${lineOf('firmware/launch/program-loader.ts', 'is not a program for this launcher')}:\\d+$`));
  assert.is(out[3], '    at Xy (/opt/kassa/slots/a/kassa-main.cjs:99999:1)', 'past the end of the map: left as it was');
  assert.is(out[4], '    at node:internal/main:1:1');
  const stamp = JSON.parse(readFileSync(join(release, 'release.json'), 'utf8')) as { version: string; commit: string };
  assert.match(mapped.stderr, new RegExp(`^kassa stack: 2 of 3 frame\\(s\\) mapped with the map of kassa-runtime ${stamp.version.replace(/\./g, '\\.')} \\(${stamp.commit}\\); the others are not in that map`));
  const noMap = spawnSync(process.execPath, [join(release, 'kassa.mjs'), 'stack', '--map', join(work, 'no.map')], { input: trace, encoding: 'utf8' });
  assert.is(noMap.status, 1);
  assert.match(noMap.stderr, /cannot read the source map .*no\.map .*name the release's kassa-main\.cjs\.map with --map/);
  const none = spawnSync(process.execPath, [join(release, 'kassa.mjs'), 'stack'], { input: 'Error: elsewhere\n    at f (/srv/app.js:1:1)\n', encoding: 'utf8' });
  assert.is(none.stdout, 'Error: elsewhere\n    at f (/srv/app.js:1:1)\n');
  assert.match(none.stderr, /no frame of kassa-main\.cjs or kassa\.mjs in the trace/);
});

test('the bundle alone runs the register: demo mode on free ports, a job sold and printed in Cyrillic', async () => {
  const register = await startBundleDemo('bundle-demo');
  try {
    const sent = spawnSync(process.execPath, [join(release, 'kassa.mjs'), 'send-job', 'device-config/samples/sell-atol.json', '--config', register.config], { encoding: 'utf8', timeout: 30_000 });
    assert.is(sent.status, 0, sent.stderr);
    assert.match(sent.stdout, /"status": "done"/);
    const receipts = readdirSync(join(register.dataDir, 'receipts')).filter((f) => f.endsWith('.txt'));
    const paper = receipts.map((f) => readFileSync(join(register.dataDir, 'receipts', f), 'utf8')).join('\n');
    assert.match(paper, /КАССОВЫЙ ЧЕК/); // CP866 on the wire, read back by the printer emulator
    assert.match(paper, /ООО "Ромашка"/);
  } finally {
    await register.stop();
  }
});

test('the code cache: the first start writes it, the next start takes it and leaves it as it is', async () => {
  const cache = join(work, 'code-cache');
  mkdirSync(cache);
  // As systemd hands the unit's CacheDirectory= to the register.
  const first = await startBundleDemo('cache-first', { CACHE_DIRECTORY: cache });
  try {
    await pollUntil(() => readdirSync(cache).some((f) => f.endsWith('.v8cache')), { timeoutMs: 20_000, what: 'the code cache file' });
  } finally {
    await first.stop();
  }
  const [file] = readdirSync(cache);
  assert.match(file ?? '', /^kassa-main-[0-9a-f]{8}-\d+\.v8cache$/);
  const written = readFileSync(join(cache, file ?? ''));
  const second = await startBundleDemo('cache-second', { CACHE_DIRECTORY: cache });
  try {
    // A cache that V8 refused or that is damaged would be written again 5 s after the start.
    await new Promise((r) => setTimeout(r, 6500));
    assert.equal(readdirSync(cache), [file]);
    assert.ok(readFileSync(join(cache, file ?? '')).equals(written), 'taken as it was, not written again');
    assert.not.match(second.err(), /code cache/, 'nothing to say about the cache');
  } finally {
    await second.stop();
  }
});

test('install into a throwaway root: user, directories, slots, config, unit; a second run changes nothing', () => {
  const root = throwawayRoot();
  try {
    const first = run(join(release, 'deploy/install.sh'), ['--root', root]);
    assert.is(first.code, 0, first.err + first.out);
    assert.match(first.out, /user kassa created \(groups kassa, dialout\)/);

    // The user: a system account without a login, in the group that owns the serial lines.
    const passwd = join(root, 'etc/passwd');
    const uid = Number(field(passwd, 'kassa', 2));
    const gid = Number(field(passwd, 'kassa', 3));
    assert.ok(uid > 0 && uid < 1000, `system uid ${uid}`);
    assert.is(field(passwd, 'kassa', 5), '/var/lib/kassa');
    assert.is(field(passwd, 'kassa', 6), '/usr/sbin/nologin');
    assert.is(field(join(root, 'etc/group'), 'kassa', 2), String(gid));
    assert.ok(field(join(root, 'etc/group'), 'dialout', 3).split(',').includes('kassa'));

    // Directories, owners and modes.
    assert.is(`${mode(join(root, 'var/lib/kassa'))} ${owner(join(root, 'var/lib/kassa'))}`, `700 ${uid}:${gid}`);
    assert.is(`${mode(join(root, 'etc/kassa'))} ${owner(join(root, 'etc/kassa'))}`, `750 0:${gid}`);
    assert.is(`${mode(join(root, 'etc/kassa/config.json'))} ${owner(join(root, 'etc/kassa/config.json'))}`, `640 0:${gid}`);
    assert.is(readFileSync(join(root, 'etc/kassa/config.json'), 'utf8'), readFileSync('device-config/production.example.json', 'utf8'));
    // The program dir is the register's own: it writes updates into the inactive slot (issue 14 §2).
    for (const d of ['opt/kassa', 'opt/kassa/slots/a', 'opt/kassa/slots/b']) assert.is(`${mode(join(root, d))} ${owner(join(root, d))}`, `755 ${uid}:${gid}`, d);
    assert.is(readFileSync(join(root, 'opt/kassa/boot-guard.mjs'), 'utf8'), readFileSync('deploy/boot-guard.mjs', 'utf8'));
    assert.is(readlinkSync(join(root, 'opt/kassa/current')), 'slots/a');
    assert.is(readFileSync(join(root, 'opt/kassa/slots/a/release.json'), 'utf8'), readFileSync(join(release, 'release.json'), 'utf8'));
    assert.is(owner(join(root, 'opt/kassa/slots/a/kassa.mjs')), `${uid}:${gid}`);
    assert.not.ok(existsSync(join(root, 'opt/kassa/slots/a/kassa.mjs.map')), 'the source map stays with the workshop');
    assert.equal(readdirSync(join(root, 'opt/kassa/slots/b')), []);
    const installed = run(process.execPath, [join(root, 'opt/kassa/current/kassa.mjs'), '--version']);
    assert.match(installed.out, /^kassa-runtime /);

    // The unit: the real Node path, and device access to the configured serial lines only.
    const unit = readFileSync(join(root, 'etc/systemd/system/kassa.service'), 'utf8');
    assert.match(unit, new RegExp(`^ExecStart=${process.execPath.replace(/[.]/g, '\\.')} --optimize-for-size --no-opt /opt/kassa/current/kassa\\.mjs run --config /etc/kassa/config\\.json$`, 'm'));
    assert.match(unit, new RegExp(`^ExecStartPre=-${process.execPath.replace(/[.]/g, '\\.')} /opt/kassa/boot-guard\\.mjs /var/lib/kassa /opt/kassa$`, 'm'));
    for (const key of ['Type=notify', 'WatchdogSec=', 'Restart=on-failure', 'RestartForceExitStatus=75', 'RestartPreventExitStatus=78', 'ProtectSystem=strict', 'PrivateTmp=yes', 'NoNewPrivileges=yes', 'ReadWritePaths=/var/lib/kassa /opt/kassa', 'DevicePolicy=closed', 'User=kassa']) {
      assert.ok(unit.split('\n').some((l) => l.startsWith(key)), key);
    }
    const devices = readFileSync(join(root, 'etc/systemd/system/kassa.service.d/serial-lines.conf'), 'utf8');
    assert.equal(devices.split('\n').filter((l) => l.startsWith('DeviceAllow=')), ['DeviceAllow=/dev/ttyS1 rw', 'DeviceAllow=/dev/ttyS2 rw']);

    // Idempotent: the second run reports and changes nothing.
    const before = snapshot(root);
    const second = run(join(release, 'deploy/install.sh'), ['--root', root]);
    assert.is(second.code, 0, second.err);
    assert.match(second.out, /already in slots\/a/);
    assert.not.match(second.out, /created|written|installed in/);
    assert.equal(snapshot(root), before);
  } finally {
    removeDir(root);
  }
});

test('a second run repairs what is wrong and says so: a damaged slot, a config readable by all, a data dir opened up', () => {
  const root = throwawayRoot();
  try {
    assert.is(run(join(release, 'deploy/install.sh'), ['--root', root]).code, 0);
    const uid = Number(field(join(root, 'etc/passwd'), 'kassa', 2));
    const gid = Number(field(join(root, 'etc/passwd'), 'kassa', 3));
    rmSync(join(root, 'opt/kassa/slots/a/kassa.mjs'));
    chmodSync(join(root, 'etc/kassa/config.json'), 0o666);
    chmodSync(join(root, 'var/lib/kassa'), 0o777);
    const repair = run(join(release, 'deploy/install.sh'), ['--root', root]);
    assert.is(repair.code, 0, repair.err);
    assert.match(repair.out, /release .* in slots\/a differs from the release folder: installing it again/);
    assert.match(repair.out, /\/etc\/kassa\/config\.json: owner and mode put right \(666 0 \d+ -> 640 0 \d+\)/);
    assert.match(repair.out, /\/var\/lib\/kassa: owner and mode put right \(777 \d+ \d+ -> 700 \d+ \d+\)/);
    assert.is(readlinkSync(join(root, 'opt/kassa/current')), 'slots/b');
    assert.ok(existsSync(join(root, 'opt/kassa/slots/b/kassa.mjs')));
    assert.is(`${mode(join(root, 'etc/kassa/config.json'))} ${owner(join(root, 'etc/kassa/config.json'))}`, `640 0:${gid}`);
    assert.is(`${mode(join(root, 'var/lib/kassa'))} ${owner(join(root, 'var/lib/kassa'))}`, `700 ${uid}:${gid}`);
    // And now it is right: a third run has nothing to say but that.
    const third = run(join(release, 'deploy/install.sh'), ['--root', root]);
    assert.match(third.out, /already in slots\/b/);
    assert.not.match(third.out, /put right|installing it again|written/);
  } finally {
    removeDir(root);
  }
});

test('the restart back-off drop-in follows the systemd of the board (KASSA_SYSTEMD_VERSION with --root); --help shows the header only', () => {
  const root = throwawayRoot();
  try {
    assert.is(run(join(release, 'deploy/install.sh'), ['--root', root], { KASSA_SYSTEMD_VERSION: '254' }).code, 0);
    assert.match(readFileSync(join(root, 'etc/systemd/system/kassa.service.d/restart-backoff.conf'), 'utf8'), /^RestartSteps=8$/m);
    assert.is(run(join(release, 'deploy/install.sh'), ['--root', root], { KASSA_SYSTEMD_VERSION: '252' }).code, 0);
    assert.not.ok(existsSync(join(root, 'etc/systemd/system/kassa.service.d/restart-backoff.conf')));
    const help = run(join(release, 'deploy/install.sh'), ['--help']);
    assert.match(help.out, /install\.sh \[--root DIR\] \[--no-start\]/);
    assert.not.match(help.out, /set -euo/);
  } finally {
    removeDir(root);
  }
});

test('a newer release goes into the other slot and `current` switches; the old slot stays', () => {
  const root = throwawayRoot();
  const newer = join(work, 'dist-newer');
  try {
    assert.is(run(join(release, 'deploy/install.sh'), ['--root', root]).code, 0);
    cpSync(release, newer, { recursive: true });
    const stamp = JSON.parse(readFileSync(join(newer, 'release.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(newer, 'release.json'), JSON.stringify({ ...stamp, version: '0.1.1', commit: 'feedfacecafe' }, null, 2));
    const up = run(join(newer, 'deploy/install.sh'), ['--root', root]);
    assert.is(up.code, 0, up.err);
    assert.match(up.out, /installed in slots\/b; current → slots\/b \(was slots\/a\)/);
    assert.is(readlinkSync(join(root, 'opt/kassa/current')), 'slots/b');
    assert.match(readFileSync(join(root, 'opt/kassa/slots/b/release.json'), 'utf8'), /feedfacecafe/);
    assert.is(readFileSync(join(root, 'opt/kassa/slots/a/release.json'), 'utf8'), readFileSync(join(release, 'release.json'), 'utf8'));
  } finally {
    removeDir(root);
    removeDir(newer);
  }
});

test('refuses a missing or too old Node.js, and leaves the root as it was', () => {
  const root = throwawayRoot();
  const fakeBin = join(work, 'old-node');
  try {
    writeFileSync(fakeBin, '#!/bin/sh\necho v18.19.0\n');
    chmodSync(fakeBin, 0o755);
    const before = snapshot(root);
    const old = run(join(release, 'deploy/install.sh'), ['--root', root], { KASSA_NODE: fakeBin });
    assert.is(old.code, 1);
    assert.match(old.err, /Node\.js v18\.19\.0 at .* is too old: kassa-runtime needs Node\.js 20 or newer/);
    const missing = run(join(release, 'deploy/install.sh'), ['--root', root], { KASSA_NODE: join(work, 'no-such-node') });
    assert.is(missing.code, 1);
    assert.match(missing.err, /Node\.js is missing/);
    assert.equal(snapshot(root), before);
  } finally {
    removeDir(root);
  }
});

test('systemd-analyze verify accepts the installed unit and its drop-ins without a warning', () => {
  const root = throwawayRoot();
  try {
    assert.is(run(join(release, 'deploy/install.sh'), ['--root', root]).code, 0);
    // SYSTEMD_UNIT_PATH puts the tree's units first, so verify reads the drop-ins too.
    const verify = run('systemd-analyze', ['verify', 'kassa.service'], { SYSTEMD_UNIT_PATH: `${join(root, 'etc/systemd/system')}:` });
    assert.is(verify.code, 0, verify.err);
    assert.is(verify.err.trim(), '', verify.err);
  } finally {
    removeDir(root);
  }
});

test.run();
