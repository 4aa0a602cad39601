/**
 * Reads of journal records against a compaction's swap of files (issue 9 §5): a finished
 * job's result is read back from the place the ledger holds, and a compaction that moves
 * records swaps the files under those places. The two exclude each other: a swap waits for
 * the reads under way, reads that come meanwhile wait for the swap, and a reader asks for
 * its place only once no swap is running — so a place is never read from a file it does not
 * describe.
 */
export class ReadLock {
  private reads = 0;
  private readonly readsDone: (() => void)[] = [];
  private swapping: Promise<void> | undefined;

  /** Runs `read` once no swap is under way; a swap that comes meanwhile waits for it. */
  async read<T>(read: () => Promise<T>): Promise<T> {
    while (this.swapping) await this.swapping;
    this.reads++;
    try {
      return await read();
    } finally {
      if (--this.reads === 0) for (const done of this.readsDone.splice(0)) done();
    }
  }

  /** Runs `swap` once no read is under way; reads that come meanwhile wait for it. */
  async exclusive(swap: () => Promise<void>): Promise<void> {
    let release = (): void => {};
    this.swapping = new Promise<void>((resolve) => (release = resolve));
    try {
      if (this.reads > 0) await new Promise<void>((resolve) => this.readsDone.push(resolve));
      await swap();
    } finally {
      this.swapping = undefined;
      release();
    }
  }
}
