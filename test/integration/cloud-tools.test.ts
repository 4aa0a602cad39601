/**
 * Issue 12 §5, the demo flow with the reference tools as real processes on one machine:
 * `kassa cloud init` makes the keys, CA, certificates, mosquitto.conf and a factory config;
 * mosquitto runs that config (TLS, client certificates, the ACL); `kassa cloud claims`
 * answers the claim of a fresh `kassa run`; `kassa cloud send register` registers its FN;
 * the register sells; `kassa cloud send` with a forged key is refused.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { tlsOptions } from '../../firmware/cli/cloud-link.ts';
import { demoProfile } from '../helpers/claim-rig.ts';
import { connectCloud } from '../helpers/cloud.ts';
import { freePort, waitForPort } from '../helpers/mosquitto.ts';
import { pollUntil } from '../helpers/poll.ts';

const run = promisify(execFile);
const kassa = (...args: string[]): Promise<{ stdout: string; stderr: string }> => run(process.execPath, ['--import', 'tsx', 'firmware/main.ts', ...args], { timeout: 60_000 });
const sample = JSON.parse(readFileSync('device-config/samples/sell-atol.json', 'utf8')) as Record<string, unknown>;

const it = suite('kassa cloud: the demo flow (real processes)');

it('init → mosquitto → claims → a fresh register claims → send register → it sells', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-cloud-'));
  chmodSync(dir, 0o755); // mosquitto, dropped to its own user, reads the cloud folder's broker files
  const procs: ChildProcess[] = [];
  const start = (cmd: string, args: string[]): ChildProcess => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', cmd === 'mosquitto' ? 'ignore' : 'inherit'] });
    procs.push(p);
    return p;
  };
  try {
    const port = await freePort();
    const cloudDir = join(dir, 'cloud');
    await kassa('cloud', 'init', '--dir', cloudDir, '--broker-port', String(port));
    const factoryPath = join(cloudDir, 'factory.json');
    const factory = JSON.parse(readFileSync(factoryPath, 'utf8')) as Record<string, unknown>;
    // The test's own ports and a quiet register; the rest as `kassa cloud init` wrote it.
    writeFileSync(factoryPath, JSON.stringify({ ...factory, console: { kind: 'none' }, printer: { kind: 'none' }, log: { level: 'warn' }, mqtt: { reconnectMinMs: 100, reconnectMaxMs: 1000 } }));
    const profilePath = join(dir, 'profile.json');
    writeFileSync(profilePath, JSON.stringify(demoProfile({ registration: { ...(demoProfile()['registration'] as object), autoRegister: false } })));
    start('mosquitto', ['-c', join(cloudDir, 'mosquitto.conf')]);
    await waitForPort(port, 5000);
    const url = `mqtts://127.0.0.1:${port}`;
    const claims = start(process.execPath, ['--import', 'tsx', 'firmware/main.ts', 'cloud', 'claims', '--dir', cloudDir, '--url', url, '--profile', profilePath, '--device-id', 'demo-kassa-1']);
    let claimLog = '';
    claims.stdout?.on('data', (c: Buffer) => void (claimLog += c.toString()));
    await pollUntil(() => claimLog.includes('answering claims'), { timeoutMs: 10_000, intervalMs: 100, what: () => `kassa cloud claims to answer claims; its output: ${claimLog}` });
    start(process.execPath, ['--import', 'tsx', 'firmware/main.ts', 'run', '--config', factoryPath]);
    const tls = { caFile: join(cloudDir, 'ca.pem'), certFile: join(cloudDir, 'cloud.pem'), keyFile: join(cloudDir, 'cloud.key') };
    const jobs = await connectCloud(url, 'kassa/demo-kassa-1', 'demo-jobs', undefined, tlsOptions(tls));
    try {
      await jobs.online(40_000);
      assert.match(claimLog, /claim claim-00000000381001234567 \(KKT 00000000381001234567, FN 9999078900005488 phase 1, firmware [\d.]+\) → demo-kassa-1/);
      const sent = await kassa('cloud', 'send', '--dir', cloudDir, '--url', url, '--device', 'demo-kassa-1', 'register').catch((e: { stdout: string; stderr: string }) => {
        throw new Error(`kassa cloud send register: ${e.stdout} ${e.stderr}`);
      });
      const result = JSON.parse(sent.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
      assert.is(result['status'], 'done', sent.stdout);
      assert.is(result['fd'], 1);
      await jobs.publish(JSON.stringify({ ...sample, id: 'demo-sale-1' }));
      const sale = await jobs.final('demo-sale-1', 30_000);
      assert.is(sale.status, 'done', JSON.stringify(sale.error));
      // A command signed with another key (a second cloud folder) is refused: exit 1, "bad_signature".
      const otherDir = join(dir, 'other');
      await kassa('cloud', 'init', '--dir', otherDir, '--broker-port', String(port));
      // (the other folder's client certificate is from another CA: it uses ours to reach the broker)
      for (const f of ['ca.pem', 'ca.key', 'cloud.pem', 'cloud.key']) writeFileSync(join(otherDir, f), readFileSync(join(cloudDir, f)));
      const forged = (await kassa('cloud', 'send', '--dir', otherDir, '--url', url, '--device', 'demo-kassa-1', 'close_fn', '--timeout-ms', '3000').then(
        () => ({ code: 0, stdout: '' }),
        (e: { code: number; stdout: string }) => e,
      )) as { code: number; stdout: string };
      assert.is(forged.code, 1, 'a forged command is not carried out');
      assert.match(forged.stdout, /"status":"refused","reason":"bad_signature"/);
    } finally {
      await jobs.close();
    }
  } finally {
    for (const p of procs.reverse()) if (p.exitCode === null) p.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

it.run();
