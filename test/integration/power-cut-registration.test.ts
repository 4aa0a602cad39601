/**
 * Issue 12 §6: power cuts during registration, at each step of the flow, chosen
 * deterministically: `kassa run` is started with KASSA_CRASH_AT=<point>
 * (firmware/core/crash-point.ts) and SIGKILLs itself there. Real processes: the register,
 * the FN emulator as its own process on a socat pty (a real FN outlives the register's
 * power cut), a TLS mosquitto with the shipped ACL, the cloud's link.
 *
 * For each point, after the restart: exactly one registration report in the FN archive;
 * the cloud gets a `done` result for the command carrying that FD's number and FPD (read
 * back from the FN when the register died before storing it); the FN is fiscal and the
 * register sells; the same signed command sent again gets the stored result.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PHASE } from '../../drivers/fn/fn-status-flags.ts';
import { tlsOptions } from '../../firmware/cli/cloud-link.ts';
import type { CrashPoint } from '../../firmware/core/crash-point.ts';
import { FD_TYPE } from '../../firmware/fiscal/tag-table.ts';
import { signCommand } from '../../firmware/security/command-envelope.ts';
import type { CommandResult } from '../../firmware/security/command-gate.ts';
import { makeRnm } from '../../firmware/fiscal/registration-numbers.ts';
import { demoProfile, INN, KKT_SERIAL, startClaimRig, type ClaimRig } from '../helpers/claim-rig.ts';
import { connectCloud, type Cloud } from '../helpers/cloud.ts';
import { loadFnState, startFnProcess, stopProcess } from '../helpers/fn-process.ts';
import { pollUntil } from '../helpers/poll.ts';
import { ptyPair, type PtyPair } from '../helpers/pty-pair.ts';

interface Ctx {
  rig?: ClaimRig;
  pty?: PtyPair;
  fn?: ChildProcess;
  jobs?: Cloud;
}
const it = suite<Ctx>('power cuts during registration, at each step (real processes, FN on a pty, TLS mosquitto)', {});
const sample = JSON.parse(readFileSync('device-config/samples/sell-atol.json', 'utf8')) as Record<string, unknown>;

it.after.each(async (ctx) => {
  await ctx.jobs?.close();
  await ctx.rig?.close();
  await stopProcess(ctx.fn);
  await ctx.pty?.close();
  delete ctx.jobs, delete ctx.rig, delete ctx.fn, delete ctx.pty;
});

const exitSignal = (p: ChildProcess): Promise<NodeJS.Signals | null> => new Promise((r) => p.once('exit', (_code, signal) => r(signal)));

const POINTS: readonly CrashPoint[] = ['command.received', 'command.journaled', 'command.formed', 'command.reported'];

for (const point of POINTS) {
  it(`power cut at ${point}: one registration FD, its number and FPD in the result, fiscal, sells, a re-sent command gets the stored result`, async (ctx) => {
    const device = `shop-5-${point.replace('.', '-')}`;
    const prefix = `kassa/${device}`;
    const pty = (ctx.pty = await ptyPair());
    const rig = (ctx.rig = await startClaimRig(device, { fn: { kind: 'serial', path: pty.a, timeoutMs: 1000, longTimeoutMs: 2000, enqRetries: 2 } }));
    // A real FN (serial) needs the RNM the FNS issued.
    const noAutoRegister = demoProfile({ registration: { ...(demoProfile()['registration'] as object), rnm: makeRnm('1', INN, KKT_SERIAL), autoRegister: false } });
    rig.assign = () => ({ deviceId: device, brokerUrl: rig.broker.url, topicPrefix: prefix, profile: noAutoRegister, profileVersion: 1 });
    const fnState = join(rig.dir, 'fn-state.bin');
    ctx.fn = await startFnProcess(pty.b, fnState);
    await rig.cloud.watch(`${prefix}/results`);
    const jobs = (ctx.jobs = await connectCloud(rig.broker.url, prefix, `cloud-jobs-${device}`, undefined, tlsOptions(rig.cloudTls)));

    // First start: claims, is provisioned, comes online; the register command then cuts its power at `point`.
    const died = exitSignal(rig.startRuntime({ KASSA_CRASH_AT: point }));
    await jobs.online(60_000);
    const command = await rig.cloud.command(`${prefix}/commands`, rig.cloudKey.privateKey, device, 'register', {});
    assert.is(await died, 'SIGKILL', `the register cut its own power at ${point}`);

    rig.startRuntime();
    const result = await rig.cloud.result(command.id, 60_000, (r) => r.status !== 'accepted');
    assert.is(result.status, 'done', JSON.stringify(result));

    // It sells.
    await jobs.publish(JSON.stringify({ ...sample, id: `sale-after-${point}` }));
    assert.is((await jobs.final(`sale-after-${point}`, 60_000)).status, 'done');

    // The very same signed command again: its stored result, no second report.
    const resultsOf = (): readonly CommandResult[] => rig.cloud.commandResults.get(command.id) ?? [];
    const before = resultsOf().length;
    await rig.cloud.publish(`${prefix}/commands`, JSON.stringify(signCommand(command, rig.cloudKey.privateKey)));
    await pollUntil(() => resultsOf().length > before, { timeoutMs: 30_000, what: 'the answer to the re-sent command' });
    const again = resultsOf().at(-1)!;
    assert.is(again['duplicate'], true, JSON.stringify(again));
    assert.equal([again['fd'], again['fpd']], [result['fd'], result['fpd']], 'the stored result');

    await rig.killRuntime('SIGTERM');
    await stopProcess(ctx.fn);
    const fn = loadFnState(fnState);
    const registrations = [...fn.snapshot.documents.values()].filter((d) => d.fdType === FD_TYPE.registration);
    assert.is(registrations.length, 1, 'exactly one registration report in the FN archive');
    const report = registrations[0]!;
    const results = resultsOf();
    for (const r of results) assert.equal([r.status, r['fd'], r['fpd']], ['done', report.fd, report.fpd], `every result of ${command.id} names the FN's registration report: ${JSON.stringify(r)}`);
    assert.is(fn.snapshot.state.phase, PHASE.fiscal);
    // Where the register died after the FN formed the report, the result was read back from the archive.
    if (point === 'command.formed') assert.ok(results.some((r) => r['recovered'] === true), 'read back from the FN archive');
  });
}

it.run();
