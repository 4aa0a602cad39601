/**
 * The directories an installed register has (deploy/install.sh), in a temporary tree: the
 * program with slots a and b and `current` → slots/a, and a data dir. For the update tests.
 */
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ProgramLayout {
  /** Remove it when done (removeDir). */
  readonly root: string;
  readonly program: string;
  readonly data: string;
}

export function programLayout(prefix: string): ProgramLayout {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const program = join(root, 'opt');
  mkdirSync(join(program, 'slots', 'a'), { recursive: true });
  mkdirSync(join(program, 'slots', 'b'), { recursive: true });
  symlinkSync('slots/a', join(program, 'current'));
  const data = join(root, 'data');
  mkdirSync(data);
  return { root, program, data };
}
