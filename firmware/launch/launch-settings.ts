/**
 * What the launcher reads from its environment, as pure functions of it (kassa-launcher.ts
 * passes `process.env` and the facts of the running Node).
 */
import { join } from 'node:path';

/**
 * Where the code cache lives:
 * - $CACHE_DIRECTORY: the unit's CacheDirectory=kassa (/var/cache/kassa);
 * - else $STATE_DIRECTORY/code-cache: a unit from before CacheDirectory= (deploy/kassa.service
 *   is written by install.sh only, and an update over MQTT changes the program, not the unit)
 *   still has StateDirectory=kassa, /var/lib/kassa, which the register may write;
 * - else none (a plain `node dist/kassa.mjs`, outside systemd): the program is compiled each start.
 * systemd passes a colon-separated list when a unit names several directories: the first is ours.
 */
export function codeCacheDirectory(env: Readonly<Record<string, string | undefined>>): { readonly dir?: string; readonly stale?: string } {
  const first = (v: string | undefined): string | undefined => v?.split(':')[0] || undefined;
  const cache = first(env['CACHE_DIRECTORY']);
  const state = first(env['STATE_DIRECTORY']);
  const fallback = state ? join(state, 'code-cache') : undefined;
  // With CacheDirectory= (the unit installed again after an update over MQTT), the fallback is left over: `stale`.
  if (cache) return { dir: cache, ...(fallback ? { stale: fallback } : {}) };
  return fallback ? { dir: fallback } : {};
}

/**
 * The facts of the running Node that a code cache depends on. Not V8's flags: V8 hashes them
 * into the data itself and refuses data made with others (`cachedDataRejected`, said as such).
 */
export interface NodeFacts {
  /** `process.version`, e.g. v20.20.2. */
  readonly version: string;
  readonly arch: string;
  /** `process.versions.v8`, e.g. 11.3.244.8-node.33. */
  readonly v8: string;
  /** The node binary: its real path, size and modification time (another build of one version is another binary). */
  readonly binary: { readonly path: string; readonly size: number; readonly mtimeMs: number };
}

/**
 * What made a code cache, in one ASCII line (code-cache-file.ts keeps it in the header): the
 * Node, its V8 and binary, and the program's path (a script keeps the name it was compiled
 * under, so a cache made in slot a would name slot a in slot b's stack traces).
 */
export function runtimeIdentity(node: NodeFacts, programPath: string): string {
  const ascii = (s: string): string => s.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return ascii(`node ${node.version} ${node.arch} v8 ${node.v8} binary ${node.binary.path} ${node.binary.size} ${Math.trunc(node.binary.mtimeMs)} program ${programPath}`);
}
