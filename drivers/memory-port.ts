/**
 * An in-process pair of connected byte ports: what one end writes the other receives,
 * asynchronously, as a serial line would deliver it. Used to run a device emulator inside
 * the register process (demo mode) and in contract tests.
 */
import { Listeners, type BytePort } from './port.ts';

class MemoryPort implements BytePort {
  peer: MemoryPort | undefined;
  private readonly data = new Listeners<[Uint8Array]>();
  private readonly closed = new Listeners<[Error?]>();
  private open = true;
  constructor(readonly description: string) {}

  async write(bytes: Uint8Array): Promise<void> {
    if (!this.open) throw new Error(`${this.description} is closed`);
    const copy = bytes.slice();
    const peer = this.peer;
    setImmediate(() => peer?.deliver(copy));
  }
  onData(listener: (chunk: Uint8Array) => void): () => void {
    return this.data.add(listener);
  }
  onClose(listener: (error?: Error) => void): () => void {
    return this.closed.add(listener);
  }
  async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    this.closed.emit();
    const peer = this.peer;
    if (peer?.open) setImmediate(() => void peer.close());
  }
  private deliver(bytes: Uint8Array): void {
    if (this.open) this.data.emit(bytes);
  }
}

/** Two connected ports: `[a, b]`, where a's writes arrive at b and b's at a. */
export function memoryPortPair(name = 'memory'): [BytePort, BytePort] {
  const a = new MemoryPort(`${name}:a`);
  const b = new MemoryPort(`${name}:b`);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
