/**
 * A technician's login at the console ends after LOGIN_IDLE_MS without input
 * (console-session.ts): a serial line cannot tell that someone unplugged, so without it the
 * next person on the line would find the last login open. Time is the injected clock's.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { memoryPortPair } from '../../drivers/memory-port.ts';
import { ManualClock } from '../../firmware/core/clock.ts';
import type { ConsoleCommand, ConsoleServices } from '../../firmware/console/console-commands.ts';
import { ConsoleSession, LOGIN_IDLE_MS, PROMPT } from '../../firmware/console/console-session.ts';
import { hashPin, TechnicianPin } from '../../firmware/security/technician-pin.ts';
import { testLog } from '../helpers/fn-rig.ts';
import { pollUntil } from '../helpers/poll.ts';

const it = suite('console: a login ends after a while without input');

/** One acting command that does nothing but say it ran. */
const POKE: ConsoleCommand = { name: 'poke', args: '', summary: 'acts', acting: true, run: async () => ['poked'] };

async function rig(): Promise<{ clock: ManualClock; type: (line: string) => Promise<string>; stop: () => void }> {
  const clock = new ManualClock(Date.UTC(2026, 10, 30, 12));
  const [register, technician] = memoryPortPair('console');
  const pin = new TechnicianPin({ clock, log: testLog() }, { hash: hashPin('1234', Buffer.alloc(16, 1), { N: 1024, r: 8, p: 1 }), maxFailures: 5, lockMs: 300_000 });
  const session = new ConsoleSession({ port: register, services: {} as ConsoleServices, log: testLog(), clock, pin }, 'kassa test console', [POKE]);
  let heard = '';
  technician.onData((chunk) => void (heard += Buffer.from(chunk).toString('utf8')));
  session.start();
  await pollUntil(() => heard.endsWith(PROMPT), { timeoutMs: 5000, intervalMs: 2, what: 'the greeting' });
  /** Types a line and resolves with what the console answered, up to its next prompt. */
  const type = async (line: string): Promise<string> => {
    const from = heard.length;
    await technician.write(Buffer.from(`${line}\r`, 'utf8'));
    await pollUntil(() => heard.slice(from).includes(`\r\n${PROMPT}`) || heard.slice(from).endsWith(PROMPT), { timeoutMs: 5000, intervalMs: 2, what: `the answer to "${line}"` });
    await session.idle();
    return heard.slice(from);
  };
  return { clock, type, stop: () => session.stop() };
}

it('logged in, an acting command runs; after LOGIN_IDLE_MS with no input it is refused until the next login', async () => {
  const r = await rig();
  try {
    assert.match(await r.type('login 1234'), /logged in: acting commands allowed until "logout", "exit", or 5 min without input/);
    assert.match(await r.type('poke'), /poked/);
    r.clock.advance(LOGIN_IDLE_MS - 1);
    assert.match(await r.type('poke'), /poked/, 'input just before the limit keeps the login');
    r.clock.advance(LOGIN_IDLE_MS - 1);
    assert.match(await r.type('poke'), /poked/, 'the limit counts from the last input, not the login');
    r.clock.advance(LOGIN_IDLE_MS);
    assert.match(await r.type('poke'), /refused: "poke" acts on the register: "login <PIN>" first/);
    assert.match(await r.type('login 1234'), /logged in/);
    assert.match(await r.type('poke'), /poked/);
  } finally {
    r.stop();
  }
});

it('logout and exit end the login and its timer; the clock has nothing left to fire', async () => {
  const r = await rig();
  try {
    await r.type('login 1234');
    assert.is(r.clock.pending, 1, 'one idle timer while logged in');
    assert.match(await r.type('logout'), /logged out/);
    assert.is(r.clock.pending, 0);
    await r.type('login 1234');
    await r.type('exit');
    assert.is(r.clock.pending, 0);
    assert.match(await r.type('poke'), /refused/);
  } finally {
    r.stop();
  }
});

it.run();
