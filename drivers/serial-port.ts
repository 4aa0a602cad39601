/**
 * Adapts the `serialport` package to BytePort. With serial-event-loop-binding.ts, the only
 * files that know serialport exists; firmware/app.ts (and the emulator CLI) call
 * openSerialPort when the config says `{"kind": "serial"}`.
 *
 * The line is serialport's own platform binding (@serialport/bindings-cpp: open with its
 * termios and lock, flush, drain, close), with reads and writes made in the event loop
 * (serial-event-loop-binding.ts). BytePort is driven from the binding's port directly, as
 * SerialPortStream drives it (one read pending while open, writes one after another), without
 * a Node stream between: a Readable and a Writable cost about 0.3 ms of the register's CPU
 * per receipt, for the 8 to 10 FN commands of a receipt and its OFD exchange (issue 9 §5).
 */
import type { BindingPortInterface } from '@serialport/bindings-cpp';
import { eventLoopBinding } from './serial-event-loop-binding.ts';
import { KassaError } from '../firmware/core/kassa-error.ts';
import { Listeners, type BytePort } from './port.ts';

export interface SerialOptions {
  readonly path: string;
  /** Line speed in baud; the FN starts at 115200 (fn-protocol §2). */
  readonly baudRate: number;
  /** What the line is for, in messages: "the FN (fn.path)". */
  readonly role?: string;
  /**
   * false: a write resolves once the bytes are handed to the kernel, without waiting for the
   * line to drain (tcdrain, a thread-pool round trip per write). For a request/answer device
   * whose driver times the answer from before the write and needs only write errors (the FN):
   * about half a millisecond of the register's CPU per receipt (issue 9 §5). Default true.
   */
  readonly drain?: boolean;
}

export async function openSerialPort(options: SerialOptions): Promise<BytePort> {
  let port: BindingPortInterface;
  try {
    port = await eventLoopBinding().open({ path: options.path, baudRate: options.baudRate });
  } catch (err) {
    // serialport's own text starts with "Error: " and names no purpose: say which line, for what.
    const why = (err instanceof Error ? err.message : String(err)).replace(/^Error: /, '');
    throw new KassaError('SERIAL_LINE', `cannot open the serial line ${options.path}${options.role ? ` of ${options.role}` : ''}: ${why}`, { cause: err });
  }
  // Bytes left in the line by a previous owner (an answer the device sent to a register that
  // then crashed) must not be read as the answer to our first command.
  // A line that opened but cannot be flushed is closed again: its handle would keep a register
  // that failed to start alive.
  await port.flush().catch(async (err: unknown) => {
    await port.close().catch(() => undefined);
    throw new KassaError('SERIAL_LINE', `cannot flush the serial line ${options.path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  });
  const data = new Listeners<[Uint8Array]>();
  const closed = new Listeners<[Error?]>();
  // A listener that throws has a bug the line cannot mend: the line goes on for the others,
  // and the error is thrown again outside it, where the process's own policy meets it (the
  // register exits and systemd starts it again, as for any uncaught exception). It must
  // neither end the line for every consumer nor vanish.
  const notify = <A extends unknown[]>(listeners: Listeners<A>, ...args: A): void => {
    try {
      listeners.emit(...args);
    } catch (error) {
      setImmediate(() => {
        throw error;
      });
    }
  };
  // onClose fires once: for our own close, or for the error that ended the line.
  let ended = false;
  const end = (err: Error | undefined): void => {
    if (ended) return;
    ended = true;
    notify(closed, err);
  };
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= port.isOpen ? port.close().catch(() => undefined) : Promise.resolve());
  // A read or write that fails otherwise than by our own close (canceled) ends the line with
  // that error, as a disconnect does: a USB adapter pulled mid-write, a device gone while the
  // kernel's buffer is full. The write's own promise rejects too.
  const failed = (err: unknown): void => {
    if ((err as { canceled?: boolean }).canceled || closing) return;
    end(err instanceof Error ? err : new Error(String(err)));
    void close();
  };
  // One read pending while the line is open, as SerialPortStream keeps it (64 KiB, its default
  // highWaterMark). Listeners get their own copy: the buffer is read into again.
  const buffer = Buffer.allocUnsafe(65_536);
  void (async () => {
    try {
      while (port.isOpen) {
        const { bytesRead } = await port.read(buffer, 0, buffer.length);
        // The event-loop port never reads 0 (it waits); a binding that does means the end of
        // the line, as SerialPortStream reads it.
        if (bytesRead === 0) break;
        notify(data, Uint8Array.prototype.slice.call(buffer, 0, bytesRead));
      }
    } catch (err) {
      failed(err);
    }
    await close();
    end(undefined);
  })();
  // Writes go out one after another, whole: a write that meets a full kernel buffer waits for
  // the poller, and the next one must not start in the middle of it.
  let writes: Promise<unknown> = Promise.resolve();
  return {
    description: `serial ${options.path} @${options.baudRate}`,
    write: (bytes) => {
      const copy = Buffer.from(bytes);
      const written = writes.then(async () => {
        if (!port.isOpen) throw new KassaError('SERIAL_LINE', `the serial line ${options.path} is closed`);
        await port.write(copy).catch((err: unknown) => {
          failed(err);
          throw err;
        });
        if (options.drain !== false) await port.drain();
      });
      writes = written.catch(() => undefined);
      return written;
    },
    onData: (l) => data.add(l),
    onClose: (l) => closed.add(l),
    close,
  };
}
