/**
 * The serial line itself (drivers/serial-port.ts over serial-event-loop-binding.ts) on a real
 * socat pty pair: reads and writes made in the event loop must keep what serialport's own
 * binding promises — every byte in order however the kernel splits it, a write larger than the
 * kernel's buffer finished once the other end reads, a close that cancels the pending read
 * quietly, a read on a closed port refused, and a line whose other end vanishes reported
 * closed with an error.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { BytePort } from '../../drivers/port.ts';
import { eventLoopBinding } from '../../drivers/serial-event-loop-binding.ts';
import { openSerialPort } from '../../drivers/serial-port.ts';
import { pollUntil } from '../helpers/poll.ts';
import { ptyPair, type PtyPair } from '../helpers/pty-pair.ts';
import { seededRandom } from '../helpers/seeded-random.ts';

const Line = suite('serial line: serialport binding with event-loop reads and writes, on a pty');

interface Ends {
  readonly pty: PtyPair;
  readonly a: BytePort;
  readonly b: BytePort;
}

async function ends(): Promise<Ends> {
  const pty = await ptyPair();
  const a = await openSerialPort({ path: pty.a, baudRate: 115200, drain: false });
  const b = await openSerialPort({ path: pty.b, baudRate: 115200 });
  return { pty, a, b };
}

async function closeAll(e: Ends): Promise<void> {
  await e.a.close();
  await e.b.close();
  await e.pty.close();
}

function collect(port: BytePort): { bytes: () => Uint8Array } {
  const chunks: Uint8Array[] = [];
  port.onData((c) => chunks.push(c.slice()));
  return { bytes: () => Buffer.concat(chunks) };
}

Line('a write far larger than the pty buffer arrives whole and in order, both ways at once', async () => {
  const e = await ends();
  try {
    const random = seededRandom('serial-line');
    const toB = Uint8Array.from({ length: 256 * 1024 }, () => Math.floor(random.next() * 256));
    const toA = Uint8Array.from({ length: 64 * 1024 }, (_, i) => (i * 7) & 0xff);
    const atB = collect(e.b);
    const atA = collect(e.a);
    // 256 KiB does not fit the kernel's pty buffers: the writer must meet EAGAIN, wait for
    // the poller's "writable" and go on where it stopped.
    await Promise.all([e.a.write(toB), e.b.write(toA)]);
    await pollUntil(() => atB.bytes().length >= toB.length && atA.bytes().length >= toA.length, { timeoutMs: 20_000, what: 'both directions to arrive' });
    assert.equal(atB.bytes().length, toB.length);
    assert.ok(Buffer.compare(atB.bytes(), toB) === 0, 'a → b: the same bytes in the same order');
    assert.ok(Buffer.compare(atA.bytes(), toA) === 0, 'b → a: the same bytes in the same order');
  } finally {
    await closeAll(e);
  }
});

Line('closing a line with a read pending closes it without an error', async () => {
  const e = await ends();
  const closes: (Error | undefined)[] = [];
  e.a.onClose((err) => closes.push(err));
  // A read is pending: nothing has been written to a.
  await e.a.close();
  await pollUntil(() => closes.length > 0, { timeoutMs: 5000, what: 'the close event' });
  assert.equal(closes, [undefined]);
  await e.b.close();
  await e.pty.close();
});

Line('a line whose other end goes away is reported closed, with the error', async () => {
  const e = await ends();
  const closes: (Error | undefined)[] = [];
  e.a.onClose((err) => closes.push(err));
  await e.b.close();
  // socat gone: the pty's other side is closed under the reader.
  await e.pty.close();
  await pollUntil(() => closes.length > 0, { timeoutMs: 5000, what: 'the close event' });
  assert.equal(closes.length, 1);
  assert.instance(closes[0], Error);
  await e.a.close();
});

Line('a write that cannot finish — the line closed under it, or its other end killed — rejects, and the process lives', async () => {
  // Nobody reads b: a 1 MiB write fills the kernel's buffers and waits for "writable".
  const closedUnder = await ends();
  const closes: (Error | undefined)[] = [];
  closedUnder.a.onClose((err) => closes.push(err));
  const pending = closedUnder.a.write(new Uint8Array(1 << 20)).then(() => 'written', (e: unknown) => `rejected: ${e instanceof Error ? e.message : String(e)}`);
  await closedUnder.a.close();
  assert.match(await pending, /^rejected/);
  assert.equal(closes, [undefined], 'our own close: quiet');
  await closeAll(closedUnder);

  const killed = await ends();
  const kills: (Error | undefined)[] = [];
  killed.a.onClose((err) => kills.push(err));
  const stuck = killed.a.write(new Uint8Array(1 << 20)).then(() => 'written', (e: unknown) => `rejected: ${e instanceof Error ? e.message : String(e)}`);
  await killed.b.close();
  await killed.pty.close();
  assert.match(await stuck, /^rejected/);
  await pollUntil(() => kills.length > 0, { timeoutMs: 5000, what: 'the line to be reported closed' });
  assert.equal(kills.length, 1, 'reported closed once');
  assert.instance(kills[0], Error);
  await killed.a.close();
});

Line('the binding itself: a read on a closed port rejects as canceled (the poller is gone; touching it would crash the process)', async () => {
  const pty = await ptyPair();
  try {
    const port = await eventLoopBinding().open({ path: pty.a, baudRate: 115200 });
    await port.close();
    const outcome = await port.read(Buffer.alloc(16), 0, 16).then(
      () => 'read',
      (e: unknown) => `rejected, canceled: ${String((e as { canceled?: boolean }).canceled)}`,
    );
    assert.is(outcome, 'rejected, canceled: true');
  } finally {
    await pty.close();
  }
});

/** Runs `body` with uncaught exceptions and unhandled rejections collected instead of ending the test process. */
async function catchingUncaught(body: (seen: { uncaught: unknown[]; unhandled: unknown[] }) => Promise<void>): Promise<void> {
  const seen = { uncaught: [] as unknown[], unhandled: [] as unknown[] };
  const onUncaught = (e: unknown): void => void seen.uncaught.push(e);
  const onUnhandled = (e: unknown): void => void seen.unhandled.push(e);
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUnhandled);
  try {
    await body(seen);
  } finally {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUnhandled);
  }
}

Line('a listener that throws: the others still get every byte, the line stays open, and the error is thrown outside the line', async () => {
  await catchingUncaught(async (seen) => {
    const e = await ends();
    try {
      const closes: (Error | undefined)[] = [];
      e.a.onClose((err) => closes.push(err));
      e.a.onData(() => {
        throw new Error('a consumer bug');
      });
      const got = collect(e.a);
      await e.b.write(Uint8Array.of(1, 2, 3));
      await pollUntil(() => got.bytes().length >= 3 && seen.uncaught.length > 0, { timeoutMs: 5000, what: 'the bytes, and the error thrown' });
      await e.b.write(Uint8Array.of(4));
      // The error of a chunk is thrown on the turn after its bytes were handed out.
      await pollUntil(() => got.bytes().length >= 4 && seen.uncaught.length >= 2, { timeoutMs: 5000, what: 'more bytes after the throw, and their error' });
      assert.equal([...got.bytes()], [1, 2, 3, 4]);
      assert.equal(closes, [], 'the line is not closed by a consumer');
      // Once a chunk: the bytes came in two chunks at least (the second write waited for the first's bytes).
      assert.ok(seen.uncaught.length >= 2 && (seen.uncaught as Error[]).every((x) => x.message === 'a consumer bug'), `${seen.uncaught.length} thrown`);
      assert.equal(seen.unhandled, []);
    } finally {
      await closeAll(e);
    }
  });
});

Line('an onClose listener that throws: the error is thrown outside the line, not left as an unhandled rejection', async () => {
  await catchingUncaught(async (seen) => {
    const e = await ends();
    let called = 0;
    e.a.onClose(() => {
      called++;
      throw new Error('a close listener bug');
    });
    await e.b.close();
    await e.pty.close();
    await pollUntil(() => called > 0 && seen.uncaught.length > 0, { timeoutMs: 5000, what: 'the close listener, and its error thrown' });
    assert.is(called, 1);
    assert.equal((seen.uncaught as Error[]).map((x) => x.message), ['a close listener bug']);
    assert.equal(seen.unhandled, []);
    await e.a.close();
  });
});

Line.run();
