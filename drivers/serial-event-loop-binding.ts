/**
 * serialport's own binding (@serialport/bindings-cpp) with its reads and writes made in the
 * event loop instead of libuv's thread pool.
 *
 * Why: bindings-cpp opens the line non-blocking (O_NONBLOCK, serialport_unix.cpp) and polls it
 * (its Poller, a uv_poll), yet reads and writes through `fs.read` / `fs.write`, each a
 * thread-pool round trip, and a read first tries, gets EAGAIN, waits for the poller and tries
 * again: three thread hand-offs per FN command. Measured on the FN status round trip over a
 * pty: ~170 µs of the register's CPU, most of it futex wake-ups; a receipt and its OFD exchange make 8 to 10 FN
 * commands (issue 9 §5, CPU per job).
 *
 * Here a read is a `readSync` on that non-blocking descriptor: bytes that are there, or EAGAIN
 * and a wait on the same poller; a write is `writeSync` until all is taken, waiting for the
 * poller's "writable" when the kernel's buffer is full. Neither can block the event loop. The
 * rest (open with its termios and lock, set, get, flush, drain, close) is bindings-cpp's.
 *
 * Errors keep serialport's contract (@serialport/bindings-interface, BindingPortInterface):
 * a read or write pending when the port closes rejects with `canceled: true` (the poller's
 * own cancel error); any other error disconnects the port.
 */
import { EventEmitter } from 'node:events';
import { readSync, writeSync } from 'node:fs';
import { LinuxBinding, type BindingInterface, type BindingPortInterface, type LinuxOpenOptions, type OpenOptions, type PortInfo, type PortStatus, type SetOptions, type UpdateOptions } from '@serialport/bindings-cpp';

/** What bindings-cpp's Linux and Darwin port bindings have beyond the interface: the descriptor and its poller. */
interface PolledPort extends BindingPortInterface {
  readonly fd: number | null;
  /** bindings-cpp's Poller: an EventEmitter whose `once` also (re)starts its poll. */
  readonly poller: EventEmitter & {
    /** Starts polling for exactly these uv_poll events (libuv uv_poll_event: UV_READABLE 1, UV_WRITABLE 2). */
    poll(events: number): void;
  };
}

const POLL_EVENT = { readable: 1, writable: 2 } as const;

function isPolled(port: BindingPortInterface): port is PolledPort {
  const p = port as Partial<PolledPort>;
  return typeof p.fd === 'number' && p.poller instanceof EventEmitter && typeof p.poller.poll === 'function';
}

/** The errno codes that mean "not now": wait for the poller and try again. */
const AGAIN = new Set(['EAGAIN', 'EWOULDBLOCK', 'EINTR']);

function isAgain(e: unknown): boolean {
  return AGAIN.has((e as NodeJS.ErrnoException).code ?? '');
}

class NotOpen extends Error {
  readonly canceled = true;
  constructor() {
    super('Port is not open');
  }
}

class EventLoopPort implements BindingPortInterface {
  /** What a read or a write is waiting for now. */
  private readonly waiting = { readable: false, writable: false };
  /** The last read took less than it asked for: the kernel had no more then. */
  private drained = true;

  constructor(private readonly inner: PolledPort) {}

  get isOpen(): boolean {
    return this.inner.isOpen;
  }

  get openOptions(): Required<OpenOptions> {
    return this.inner.openOptions;
  }

  async read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    // After a read that took less than it could, the line is most likely empty: wait for the
    // poller first (it reports bytes already there at once) instead of a read that fails with
    // EAGAIN, an exception Node builds with its stack, ~3 per job (issue 9 §5).
    if (this.drained) {
      // Closed: refuse as below, before touching the poller, which close() destroyed (poll() on it crashes the process).
      this.fd();
      await this.wait('readable');
    }
    for (;;) {
      const fd = this.fd();
      try {
        const bytesRead = readSync(fd, buffer, offset, length, null);
        // 0: nothing yet on a tty in non-canonical mode (VMIN 0 after a flush); wait like EAGAIN.
        if (bytesRead > 0) {
          this.drained = bytesRead < length;
          return { buffer, bytesRead };
        }
      } catch (e) {
        if (!isAgain(e)) throw e;
      }
      await this.wait('readable');
    }
  }

  async write(buffer: Buffer): Promise<void> {
    let offset = 0;
    while (offset < buffer.length) {
      try {
        offset += writeSync(this.fd(), buffer, offset, buffer.length - offset);
      } catch (e) {
        if (!isAgain(e)) throw e;
        await this.wait('writable');
      }
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  update(options: UpdateOptions): Promise<void> {
    return this.inner.update(options);
  }

  set(options: SetOptions): Promise<void> {
    return this.inner.set(options);
  }

  get(): Promise<PortStatus> {
    return this.inner.get();
  }

  getBaudRate(): Promise<{ baudRate: number }> {
    return this.inner.getBaudRate();
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }

  drain(): Promise<void> {
    return this.inner.drain();
  }

  private fd(): number {
    const fd = this.inner.fd;
    if (fd === null || !this.inner.isOpen) throw new NotOpen();
    return fd;
  }

  /**
   * Waits for the poller's event. The poller's own once() (re)starts its uv_poll with that one
   * event only (poller.cpp passes the new events, not the union it keeps), so a write that
   * waits for "writable" would stop the pending read's "readable": two ends of a line both
   * writing more than the kernel buffers would then wait for each other for ever. Polling
   * for everything still awaited keeps both; the listener is added with EventEmitter's own
   * once, so the poll starts once, with that union.
   */
  private wait(event: 'readable' | 'writable'): Promise<void> {
    this.waiting[event] = true;
    const done = new Promise<void>((resolve, reject) =>
      EventEmitter.prototype.once.call(this.inner.poller, event, (err: Error | null) => {
        this.waiting[event] = false;
        if (err) reject(err);
        else resolve();
      }),
    );
    this.inner.poller.poll((this.waiting.readable ? POLL_EVENT.readable : 0) | (this.waiting.writable ? POLL_EVENT.writable : 0));
    return done;
  }
}

/**
 * serialport's Linux binding (the register's boards are Linux: build.mjs TARGETS) with
 * event-loop reads and writes; a port without a polled descriptor is returned as it is.
 */
export function eventLoopBinding(platform: BindingInterface<BindingPortInterface, LinuxOpenOptions, PortInfo> = LinuxBinding): BindingInterface<BindingPortInterface, LinuxOpenOptions, PortInfo> {
  return {
    list: () => platform.list(),
    async open(options: LinuxOpenOptions): Promise<BindingPortInterface> {
      const port = await platform.open(options);
      return isPolled(port) ? new EventLoopPort(port) : port;
    },
  };
}
