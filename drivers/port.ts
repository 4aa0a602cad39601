/**
 * The one byte-stream interface every driver and emulator sees (DESIGN.md §2). A serial
 * line (serial-port.ts), one end of an in-process pair (memory-port.ts) or a test harness
 * all look the same to the FN and printer drivers.
 */
export interface BytePort {
  /** Resolves once the bytes are handed to the OS (drained for a serial line, unless opened with drain: false). */
  write(bytes: Uint8Array): Promise<void>;
  /** Every chunk as it arrives, in order; chunks split and coalesce freely. Returns an unsubscribe. */
  onData(listener: (chunk: Uint8Array) => void): () => void;
  /** Called once when the stream ends, with the error if it failed. */
  onClose(listener: (error?: Error) => void): () => void;
  close(): Promise<void>;
  /** Human-readable identity for logs and the console, e.g. "serial /dev/ttyS1 @115200". */
  readonly description: string;
}

/** A small typed listener list, for ports and other real streams (DESIGN.md §3 rule 6). */
export class Listeners<A extends unknown[]> {
  private readonly set = new Set<(...args: A) => void>();
  add(listener: (...args: A) => void): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }
  /**
   * Calls every listener, in the order they were added. One that throws does not keep the
   * others from the event: the first error is thrown to the emitter once all were called.
   */
  emit(...args: A): void {
    let failed: { readonly error: unknown } | undefined;
    for (const l of [...this.set]) {
      try {
        l(...args);
      } catch (error) {
        failed ??= { error };
      }
    }
    if (failed) throw failed.error;
  }
  clear(): void {
    this.set.clear();
  }
}
