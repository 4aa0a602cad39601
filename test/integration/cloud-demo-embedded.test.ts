/**
 * Issue 12 §5: "Demo mode shows the whole flow on one machine: a fresh register claims, is
 * provisioned, registers its FN and sells" — with the embedded broker, nothing installed.
 * Runs exactly the steps of README.md "The whole flow on one machine" as real processes
 * (`node --import tsx firmware/main.ts` is what `npm run kassa --` runs), on a free port and
 * in a temporary folder instead of the defaults:
 *
 *   kassa cloud demo --dir <d> --port <p>          (terminal 1)
 *   kassa run --config <d>/factory.json            (terminal 2)
 *   kassa send-job --config <d>/factory.json device-config/samples/sell-atol.json
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { stopProcess } from '../helpers/fn-process.ts';
import { freePort } from '../helpers/mosquitto.ts';
import { pollUntil } from '../helpers/poll.ts';

const KASSA = ['--import', 'tsx', 'firmware/main.ts'];
const run = promisify(execFile);
const it = suite('kassa cloud demo: the whole flow on one machine, embedded broker (real processes)');

it('cloud demo → a fresh register claims, is provisioned, its FN registered by command → send-job sells', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-cloud-demo-'));
  const demoDir = join(dir, '.cloud-demo');
  const procs: ChildProcess[] = [];
  try {
    const port = await freePort();
    const cloud = spawn(process.execPath, [...KASSA, 'cloud', 'demo', '--dir', demoDir, '--port', String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    procs.push(cloud);
    let cloudOut = '';
    cloud.stdout?.on('data', (c: Buffer) => void (cloudOut += c.toString()));
    await pollUntil(() => cloudOut.includes('answering claims'), { timeoutMs: 30_000, what: () => `the cloud demo to answer claims; it said:\n${cloudOut}` });
    assert.ok(existsSync(join(demoDir, 'factory.json')), 'the first run made the factory config');

    const factory = join(demoDir, 'factory.json');
    const register = spawn(process.execPath, [...KASSA, 'run', '--config', factory], { stdio: ['ignore', 'ignore', 'pipe'] });
    procs.push(register);
    let registerLog = '';
    register.stderr?.on('data', (c: Buffer) => void (registerLog += c.toString()));
    await pollUntil(() => /registered its FN: FD 1, FPD \d+/.test(cloudOut), { timeoutMs: 60_000, what: () => `the register to claim and its FN to be registered; the cloud said:\n${cloudOut}\nthe register said:\n${registerLog}` });
    assert.match(cloudOut, /claim claim-00000000381001234567 \(KKT 00000000381001234567, FN \d{16} phase 1, firmware [\d.]+\) → kassa-00000000381001234567/);

    const sale = await run(process.execPath, [...KASSA, 'send-job', '--config', factory, 'device-config/samples/sell-atol.json'], { timeout: 90_000 });
    const results = sale.stdout.split(/\n(?=\{)/).map((t) => JSON.parse(t) as { id: string; status: string; payload?: { fiscal_document_number?: number } });
    const done = results.find((r) => r.status === 'done');
    assert.ok(done, sale.stdout);
    assert.is(done.id, 'demo-sell-0001');

    const identity = JSON.parse(readFileSync(join(demoDir, 'register-data', 'identity', 'identity.json'), 'utf8')) as { deviceId: string; brokerUrl: string };
    assert.equal([identity.deviceId, identity.brokerUrl], ['kassa-00000000381001234567', `mqtt://127.0.0.1:${port}`], 'provisioned by claim onto the embedded broker');
    const receipts = readdirSync(join(demoDir, 'register-data', 'receipts')).filter((f) => f.endsWith('.txt'));
    assert.ok(receipts.length >= 2, `the registration report and the receipt on paper: ${receipts.join(', ')}`);
  } finally {
    for (const p of procs.reverse()) await stopProcess(p, 'SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
});

it.run();
