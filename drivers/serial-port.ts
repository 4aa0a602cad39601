/**
 * Adapts the `serialport` package to BytePort. With serial-event-loop-binding.ts, the only
 * files that know serialport exists; firmware/app.ts (and the emulator CLI) call
 * openSerialPort when the config says `{"kind": "serial"}`.
 *
 * The stream is serialport's own (SerialPortStream, what `new SerialPort()` is) over its own
 * platform binding, with reads and writes made in the event loop (serial-event-loop-binding.ts).
 */
import { SerialPortStream } from '@serialport/stream';
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
  const port = new SerialPortStream({ binding: eventLoopBinding(), path: options.path, baudRate: options.baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) =>
    port.open((err) => {
      if (!err) return resolve();
      // serialport's own text starts with "Error: " and names no purpose: say which line, for what.
      const why = err.message.replace(/^Error: /, '');
      reject(new KassaError('SERIAL_LINE', `cannot open the serial line ${options.path}${options.role ? ` of ${options.role}` : ''}: ${why}`, { cause: err }));
    }),
  );
  // Bytes left in the line by a previous owner (an answer the device sent to a register that
  // then crashed) must not be read as the answer to our first command.
  // A line that opened but cannot be flushed is closed again: its handle would keep a register
  // that failed to start alive.
  await new Promise<void>((resolve, reject) => port.flush((err) => (err ? reject(err) : resolve()))).catch(async (err: unknown) => {
    await new Promise<void>((resolve) => port.close(() => resolve()));
    throw new KassaError('SERIAL_LINE', `cannot flush the serial line ${options.path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  });
  const data = new Listeners<[Uint8Array]>();
  const closed = new Listeners<[Error?]>();
  port.on('data', (chunk: Buffer) => data.emit(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
  // onClose fires once, for serialport's own close (a disconnect among them) or for an error.
  let ended = false;
  const end = (err: Error | undefined): void => {
    if (ended) return;
    ended = true;
    closed.emit(err);
  };
  port.on('close', (err?: Error | null) => end(err ?? undefined));
  // A read or write that fails makes the stream emit 'error', and an 'error' nobody listens
  // to ends the process: a USB adapter pulled mid-write, a device gone while the kernel's
  // buffer is full. The write's own promise already rejects; the line is reported closed with
  // the error (as a disconnect is) and closed. A canceled one is our own close.
  port.on('error', (err: Error & { canceled?: boolean }) => {
    if (err.canceled) return;
    end(err);
    if (port.isOpen) port.close(() => {});
  });
  return {
    description: `serial ${options.path} @${options.baudRate}`,
    write: (bytes) =>
      new Promise<void>((resolve, reject) => {
        port.write(Buffer.from(bytes), (err) => {
          if (err) return reject(err);
          if (options.drain === false) return resolve();
          port.drain((e) => (e ? reject(e) : resolve()));
        });
      }),
    onData: (l) => data.add(l),
    onClose: (l) => closed.add(l),
    close: () =>
      new Promise<void>((resolve) => {
        if (!port.isOpen) return resolve();
        port.close(() => resolve());
      }),
  };
}
