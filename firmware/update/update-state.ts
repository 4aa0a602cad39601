/**
 * Where an update stands, on disk, so that a power cut at any step resumes or undoes it
 * (issue 14 §2). One JSON file, written atomically: `<dataDir>/update/state.json`. The boot guard
 * (deploy/boot-guard.mjs) reads and writes the same file before each start, so its shape is
 * plain JSON and documented here:
 *
 *   phase "downloading"  chunks arrive into `<id>.part` beside it; the running slot is untouched
 *   phase "staged"       the release is whole in slot `to`; waiting for a safe moment to switch
 *   phase "trial"        `current` points (or is about to point) at `to`; the new version must
 *                        confirm within `deadlineMs` of starting, in at most `maxStarts` starts
 *   phase "rolled_back"  `current` is back at `from`; `failure` says why; the old version reports it
 */
import { readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic-file.ts';
import type { Slot } from './program-slots.ts';
import type { UpdateFailure } from './update-error.ts';
import type { UpdateOrder } from './update-order.ts';

export type UpdateState =
  | { readonly phase: 'downloading'; readonly order: UpdateOrder }
  | { readonly phase: 'staged'; readonly order: UpdateOrder; readonly from: Slot; readonly to: Slot }
  | { readonly phase: 'trial'; readonly order: UpdateOrder; readonly from: Slot; readonly to: Slot; readonly starts: number; readonly maxStarts: number; readonly deadlineMs: number }
  | { readonly phase: 'rolled_back'; readonly order: UpdateOrder; readonly from: Slot; readonly to: Slot; readonly failure: { readonly reason: UpdateFailure; readonly message: string } };

export class UpdateStateFile {
  readonly dir: string;
  private readonly path: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'update');
    this.path = join(this.dir, 'state.json');
  }

  read(): UpdateState | undefined {
    try {
      return JSON.parse(readFileSync(this.path, 'utf8')) as UpdateState;
    } catch {
      return undefined;
    }
  }

  async write(state: UpdateState): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.path, `${JSON.stringify(state, null, 2)}\n`);
  }

  /** The partial download of an order. */
  partPath(order: UpdateOrder): string {
    return join(this.dir, `${order.id.replace(/[^A-Za-z0-9_.-]/g, '_')}.part`);
  }

  /** Forgets the update and deletes its partial download. */
  async clear(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
