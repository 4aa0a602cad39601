/**
 * The command gate with the FN-lifecycle journal over a real device-state file (issue 12 §6):
 * a lifecycle command is journaled in the same write as its sequence number; its outcome is
 * stored before it is reported; the same signed command again gets the stored outcome and
 * is not acted on twice; a non-journaled command sent again is still refused `replayed`.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../firmware/core/clock.ts';
import { LifecycleJournal } from '../../firmware/provisioning/lifecycle-journal.ts';
import { cloudPublicKey, COMMAND_WINDOW, signCommand, type CloudCommand } from '../../firmware/security/command-envelope.ts';
import { CommandGate, type CommandResult } from '../../firmware/security/command-gate.ts';
import { ReplayGuard } from '../../firmware/security/replay-guard.ts';
import { DeviceState } from '../../firmware/state/device-state.ts';
import { testLog } from '../helpers/fn-rig.ts';

const NOW = Date.UTC(2026, 10, 30, 3, 0);
const cloud = generateKeyPairSync('ed25519');
const it = suite('command gate + lifecycle journal (device state on disk)');

async function rig(): Promise<{ gate: CommandGate; state: DeviceState; reports: CommandResult[]; acted: string[]; seen: DeviceState['data'][]; path: string; close(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-journal-'));
  const path = join(dir, 'device-state.json');
  const state = await DeviceState.open(path);
  const journal = new LifecycleJournal(state);
  const reports: CommandResult[] = [];
  const acted: string[] = [];
  const seen: DeviceState['data'][] = [];
  const guard = new ReplayGuard({ recall: () => state.data.commandSeq ?? 0, remember: (seq, c) => state.update((d) => void ((d.commandSeq = seq), c && LifecycleJournal.accept(d, c))) });
  const gate = new CommandGate(
    {
      publicKey: cloudPublicKey(cloud.publicKey.export({ type: 'spki', format: 'pem' }).toString()),
      deviceId: 'kassa-a',
      guard,
      clock: new ManualClock(NOW),
      log: testLog(),
      report: async (r) => void reports.push(r),
      journal,
      handlers: {
        register: async (c) => {
          // What the handler sees on disk when it starts: the command journaled with its sequence number.
          seen.push(JSON.parse(readFileSync(path, 'utf8')) as DeviceState['data']);
          acted.push(c.id);
          return { status: 'done', fd: 1, fpd: 123456 };
        },
        settings: async (c) => (acted.push(c.id), { status: 'applied' }),
      },
    },
    COMMAND_WINDOW,
  );
  return { gate, state, reports, acted, seen, path, close: () => rmSync(dir, { recursive: true, force: true }) };
}

const envelope = (over: Partial<CloudCommand>): Uint8Array =>
  Buffer.from(JSON.stringify(signCommand({ id: 'c-1', device: 'kassa-a', seq: 10, issuedAt: NOW - 1000, expiresAt: NOW + 60_000, type: 'register', body: {}, ...over }, cloud.privateKey)));

it('register: journaled with its sequence number, outcome stored, the same command again gets it without acting twice', async () => {
  const r = await rig();
  try {
    const bytes = envelope({ id: 'reg-1', seq: 10 });
    await r.gate.handle(bytes);
    assert.equal(r.acted, ['reg-1']);
    assert.is(r.seen[0]?.commandSeq, 10);
    assert.is(r.seen[0]?.lifecycleCommand?.command.id, 'reg-1', 'journaled in the same write as the sequence number');
    assert.is(r.state.data.lifecycleCommand, undefined, 'no command in hand once its outcome is stored');
    assert.equal(r.state.data.lifecycleResults?.map((x) => [x.id, x.seq, x.outcome['fd']]), [['reg-1', 10, 1]]);
    await r.gate.handle(bytes);
    assert.equal(r.acted, ['reg-1'], 'not acted on twice');
    assert.equal(r.reports.map((x) => [x.id, x.status, x['fd'], x['fpd'], x['duplicate'] ?? false]), [
      ['reg-1', 'done', 1, 123456, false],
      ['reg-1', 'done', 1, 123456, true],
    ]);
    // The same id with a lower sequence number is not "the same command": refused.
    await r.gate.handle(envelope({ id: 'reg-1', seq: 9 }));
    assert.equal([r.reports.at(-1)?.status, r.reports.at(-1)?.reason], ['refused', 'replayed']);
  } finally {
    r.close();
  }
});

it('settings again: still refused as replayed (only the FN-lifecycle commands keep their outcome)', async () => {
  const r = await rig();
  try {
    const bytes = envelope({ id: 'set-1', seq: 20, type: 'settings', body: { closeAt: '22:00' } });
    await r.gate.handle(bytes);
    await r.gate.handle(bytes);
    assert.equal(r.acted, ['set-1']);
    assert.equal(r.reports.map((x) => [x.status, x.reason ?? null]), [['applied', null], ['refused', 'replayed']]);
    assert.is(r.state.data.lifecycleResults, undefined);
  } finally {
    r.close();
  }
});

it.run();
