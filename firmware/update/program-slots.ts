/**
 * The program's two slots (issue 14 §1–2), as deploy/install.sh lays them out:
 *
 *   <programDir>/slots/a/   a release folder (kassa.mjs, release.json, prebuilds/, deploy/)
 *   <programDir>/slots/b/
 *   <programDir>/current    symlink → slots/a or slots/b: what systemd starts
 *
 * A release is written into the slot that is not running (`slots/x.new`, fsynced, renamed over),
 * and the switch is one rename of a new symlink over `current`: a power cut leaves the old link
 * or the new one, and each points at a whole slot.
 */
import { mkdir, readFile, readlink, rm, rename, symlink } from 'node:fs/promises';
import { readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { syncDir, writeFileAtomic } from '../core/atomic-file.ts';
import type { ReleaseFile, ReleaseStamp } from './release-package.ts';

export type Slot = 'a' | 'b';

export class ProgramSlots {
  constructor(readonly programDir: string) {}

  /** The slot `current` points at; undefined when there is no link (a register run from source). */
  current(): Slot | undefined {
    try {
      const target = readlinkSync(join(this.programDir, 'current'));
      return target === 'slots/a' ? 'a' : target === 'slots/b' ? 'b' : undefined;
    } catch {
      return undefined;
    }
  }

  /** The slot a new release goes into. */
  inactive(): Slot {
    return this.current() === 'a' ? 'b' : 'a';
  }

  dir(slot: Slot): string {
    return join(this.programDir, 'slots', slot);
  }

  async stamp(slot: Slot): Promise<ReleaseStamp | undefined> {
    try {
      return JSON.parse(await readFile(join(this.dir(slot), 'release.json'), 'utf8')) as ReleaseStamp;
    } catch {
      return undefined;
    }
  }

  /** Writes a release's files into `slot` whole: into `slot.new`, each file fsynced, then renamed over. */
  async install(slot: Slot, files: readonly ReleaseFile[]): Promise<void> {
    const fresh = `${this.dir(slot)}.new`;
    await rm(fresh, { recursive: true, force: true });
    for (const f of files) {
      const path = join(fresh, f.path);
      await mkdir(dirname(path), { recursive: true, mode: 0o755 });
      // Modes normalised as install.sh sets them (u=rwX,go=rX): a package packed from a sloppy
      // dist/ never installs group- or world-writable files, whatever its modes say.
      await writeFileAtomic(path, f.data, f.mode & 0o100 ? 0o755 : 0o644);
    }
    await rm(this.dir(slot), { recursive: true, force: true });
    await rename(fresh, this.dir(slot));
    await syncDir(join(this.programDir, 'slots'));
  }

  /** Points `current` at `slot` with one rename. */
  async switchTo(slot: Slot): Promise<void> {
    const link = join(this.programDir, 'current');
    const fresh = `${link}.new`;
    await rm(fresh, { force: true });
    await symlink(`slots/${slot}`, fresh);
    await rename(fresh, link);
    await syncDir(this.programDir);
  }

  async target(): Promise<string | undefined> {
    return readlink(join(this.programDir, 'current')).catch(() => undefined);
  }
}
