/**
 * The device profile (issue 12 §2): what a person would otherwise type into the config —
 * registration data, cashier, shift schedule, printer, OFD, limits — as the cloud sent it,
 * with its version. Stored beside the identity (identity-store.ts), written atomically, and
 * laid over the base config (factory or hand-written) at every start.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../core/atomic-file.ts';

export interface StoredProfile {
  readonly version: number;
  readonly profile: Readonly<Record<string, unknown>>;
  readonly appliedAt: number;
  /** Work the profile still owes after the restart: a re-registration, reported under the profile command's id. */
  readonly pending?: { readonly reregister: readonly string[]; readonly command: string };
}

/** Top-level config keys a profile may set; the rest (identity, FN line, broker, cloud key) it may not. */
export const PROFILE_KEYS: ReadonlySet<string> = new Set(['timeZone', 'registration', 'cashier', 'shift', 'printer', 'ofd', 'ofdLink', 'limits', 'journal', 'log', 'security']);
/** Keys of `security` a profile may not set: the pinned key changes only by provisioning. */
export const PINNED_SECURITY_KEYS: ReadonlySet<string> = new Set(['cloudPublicKey']);

export class ProfileStore {
  private readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, 'identity', 'profile.json');
  }

  load(): StoredProfile | undefined {
    if (!existsSync(this.path)) return undefined;
    return JSON.parse(readFileSync(this.path, 'utf8')) as StoredProfile;
  }

  save(p: StoredProfile): void {
    mkdirSync(join(this.path, '..'), { recursive: true, mode: 0o700 });
    writeFileAtomicSync(this.path, `${JSON.stringify(p, null, 2)}\n`);
  }
}

/** Problems of a profile's shape that the config schema cannot see (which keys it may set). */
export function profileKeyProblems(profile: Readonly<Record<string, unknown>>): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  for (const key of Object.keys(profile)) if (!PROFILE_KEYS.has(key)) problems.push({ path: key, message: 'not set by a profile (identity, FN line and broker come from provisioning)' });
  const sec = profile['security'];
  if (sec && typeof sec === 'object') for (const key of Object.keys(sec)) if (PINNED_SECURITY_KEYS.has(key)) problems.push({ path: `security.${key}`, message: 'pinned at provisioning; a profile cannot change it' });
  return problems;
}

/** The base config with the profile laid over it: whole sections replaced, `security` merged (its pinned key kept). */
export function overlayProfile(base: Readonly<Record<string, unknown>>, profile: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
  if (!profile) return { ...base };
  const merged: Record<string, unknown> = { ...base, ...profile };
  if (profile['security'] !== undefined) merged['security'] = { ...(base['security'] as object | undefined), ...(profile['security'] as object) };
  return merged;
}
