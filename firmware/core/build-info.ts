/**
 * What this program is: name, version and the commit it was built from (issue 14 §1).
 *
 * `npm run build` compiles the stamp in through esbuild's `define` (build.mjs writes the same
 * stamp to dist/release.json). Run from source under tsx there is no stamp: the version comes
 * from package.json and the commit reads "source", never a guess.
 */
import pkg from '../../package.json' with { type: 'json' };

export interface BuildInfo {
  readonly name: string;
  readonly version: string;
  /** Short commit hash, `…-dirty` when built from a changed tree, `source` when not built. */
  readonly commit: string;
  /** ISO 8601 UTC, absent when not built. */
  readonly builtAt?: string;
}

declare const __KASSA_RELEASE__: BuildInfo | undefined;

export const BUILD_INFO: BuildInfo =
  typeof __KASSA_RELEASE__ !== 'undefined' ? __KASSA_RELEASE__ : { name: pkg.name, version: pkg.version, commit: 'source' };

/** One line, as `kassa --version` prints it: `kassa-runtime 0.1.0 (commit 1a2b3c4d5e6f, built 2026-11-30T03:10:00Z)`. */
export function versionLine(info: BuildInfo = BUILD_INFO): string {
  const built = info.builtAt ? `, built ${info.builtAt}` : '';
  return `${info.name} ${info.version} (commit ${info.commit}${built})`;
}
