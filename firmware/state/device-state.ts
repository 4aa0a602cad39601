/**
 * Small device state kept in lowdb (DESIGN.md §2 state/): the registration the register
 * made, when the current shift opened, and the settings the cloud provisioned. Never
 * per-job history: that is the journal's.
 */
import { readFile } from 'node:fs/promises';
import { Low, type Adapter } from 'lowdb';
import { writeFileAtomic } from '../core/atomic-file.ts';
import type { Cashier } from '../fiscal/receipt.ts';
import type { CloudCommand } from '../security/command-envelope.ts';
import type { CommandOutcome } from '../security/command-gate.ts';

export interface DeviceStateData {
  version: 1;
  /** The open shift as the register opened it: the FN does not tell when (10h has no time). */
  shift?: { number: number; openedAt: number };
  /** The registration report this register formed, if it formed one. */
  registration?: { fd: number; fpd: number; at: number; fnNumber: string; ffd: string };
  /** Provisioned by the cloud; they override the config's defaults. */
  settings: { cashier?: Cashier; closeAt?: string | null };
  /** The highest sequence number of a signed cloud command acted on (firmware/security/replay-guard.ts). */
  commandSeq?: number;
  /** The FN-lifecycle command in hand, from its acceptance until its outcome is stored (provisioning/lifecycle-journal.ts). */
  lifecycleCommand?: { command: CloudCommand; fdBefore?: number };
  /** The stored outcomes of the last FN-lifecycle commands, oldest first (bounded). */
  lifecycleResults?: { id: string; type: string; seq: number; outcome: CommandOutcome }[];
}

/**
 * lowdb's storage, durable: its own JSONFile renames a temp file without fsync, which a
 * power cut (not just a SIGKILL) can undo — and this file holds the sequence number of the
 * last signed command and the FN-lifecycle command in hand (issue 12 §6).
 */
class DurableJsonFile<T> implements Adapter<T> {
  constructor(private readonly path: string) {}

  async read(): Promise<T | null> {
    try {
      return JSON.parse(await readFile(this.path, 'utf8')) as T;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  write(data: T): Promise<void> {
    return writeFileAtomic(this.path, JSON.stringify(data, null, 2));
  }
}

export class DeviceState {
  private constructor(private readonly db: Low<DeviceStateData>) {}

  static async open(path: string): Promise<DeviceState> {
    const db = new Low<DeviceStateData>(new DurableJsonFile(path), { version: 1, settings: {} });
    await db.read();
    return new DeviceState(db);
  }

  get data(): Readonly<DeviceStateData> {
    return this.db.data;
  }

  /** Changes the state and writes it atomically and durably (temp file, fsync, rename, fsync of the directory). */
  async update(change: (data: DeviceStateData) => void): Promise<void> {
    await this.db.update(change);
  }
}
