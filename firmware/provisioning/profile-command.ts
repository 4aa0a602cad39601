/**
 * The `profile` command (issue 12 §2): `{version, profile}`. Checked with the same schema
 * and problem paths as a config file (the profile laid over the register's base config and
 * parsed by config/parse-config.ts); a version not above the current one, a key a profile
 * may not set, or any schema problem → `rejected` with every problem, nothing written.
 * Otherwise written atomically and answered `applied` with the new version, whether a
 * restart follows (always: the register starts again with the new config) and which
 * re-registration reasons the change needs — carried out after the restart, in that order,
 * and reported under the same command id (`pending` in the stored profile survives a power cut).
 */
import type { DeviceConfig } from '../config/device-config.ts';
import { ConfigError, parseConfig, type ConfigProblem } from '../config/parse-config.ts';
import type { CloudCommand } from '../security/command-envelope.ts';
import type { CommandOutcome } from '../security/command-gate.ts';
import { reasonsFor } from './fn-lifecycle.ts';
import { overlayProfile, profileKeyProblems, type ProfileStore } from './profile-store.ts';

/** What `kassa run` tells the register about where its config came from (register-config.ts). */
export interface ProvisioningContext {
  /** The raw config the profile is laid over (hand-written, or factory + identity). */
  readonly base: Readonly<Record<string, unknown>>;
  readonly profileVersion: number | undefined;
  readonly provisioned: 'by hand' | 'by claim';
  readonly firmware: string;
  /** Stops the register and starts it again with the config as it now resolves. */
  restart(reason: string): void;
}

export interface ProfileCommandDeps {
  readonly context: ProvisioningContext;
  readonly config: DeviceConfig;
  readonly profiles: ProfileStore;
  readonly now: () => number;
  /** Whether the FN is registered (a change of registration data then needs a re-registration). */
  readonly fnRegistered: () => Promise<boolean>;
}

export async function applyProfileCommand(c: CloudCommand, d: ProfileCommandDeps): Promise<CommandOutcome> {
  const current = d.profiles.load()?.version ?? d.context.profileVersion ?? 0;
  const { version, profile } = c.body as { version?: unknown; profile?: unknown };
  const problems: ConfigProblem[] = [];
  if (!Number.isSafeInteger(version) || (version as number) < 1) problems.push({ path: 'version', message: 'an integer ≥ 1 is required' });
  else if ((version as number) <= current) problems.push({ path: 'version', message: `${String(version)} is not above the current version ${current}` });
  if (typeof profile !== 'object' || profile === null || Array.isArray(profile)) problems.push({ path: 'profile', message: 'an object is required' });
  let next: DeviceConfig | undefined;
  if (problems.length === 0) {
    const p = profile as Record<string, unknown>;
    problems.push(...profileKeyProblems(p));
    try {
      next = parseConfig(JSON.stringify(overlayProfile(d.context.base, p)), `profile v${String(version)}`);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(...e.problems);
    }
  }
  if (problems.length > 0 || !next) return { status: 'rejected', profile_version: current, problems };
  const reasons = (await d.fnRegistered()) ? reasonsFor(d.config.registration, next.registration) : [];
  d.profiles.save({ version: version as number, profile: profile as Record<string, unknown>, appliedAt: d.now(), ...(reasons.length > 0 ? { pending: { reregister: reasons, command: c.id } } : {}) });
  d.context.restart(`profile v${String(version)}`);
  return { status: 'applied', profile_version: version, restart: true, reregister: reasons.length > 0 ? reasons : null };
}
