/**
 * A release as it travels to the register (issue 14 §2): the files of the release folder that
 * `npm run build` makes (less the source map), in one CBOR value (cbor-x, as the journal uses):
 *
 *   { format: "kassa-release/1", release: { name, version, commit }, files: [{ path, mode, data }] }
 *
 * Pure. Unpacking checks every path (relative, no "..", no absolute or empty segment) so a
 * package cannot write outside its slot, and that the release stamp inside is the one it claims.
 */
import { createHash } from 'node:crypto';
import { decode, encode } from 'cbor-x';
import { UpdateError } from './update-error.ts';

export const PACKAGE_FORMAT = 'kassa-release/1';

export interface ReleaseStamp {
  readonly name: string;
  readonly version: string;
  readonly commit: string;
}

export interface ReleaseFile {
  /** Relative to the slot, `/`-separated. */
  readonly path: string;
  /** Unix permission bits (0o644, 0o755). */
  readonly mode: number;
  readonly data: Uint8Array;
}

export interface ReleasePackage {
  readonly release: ReleaseStamp;
  readonly files: readonly ReleaseFile[];
}

/**
 * The files every release has: what `node kassa.mjs` runs, and the stamp. Not kassa-main.cjs:
 * releases from before the launcher (firmware/launch/) were one kassa.mjs bundle, and a
 * register must still be able to go back to one.
 */
const REQUIRED = ['kassa.mjs', 'release.json'];
/** The program a launcher runs (build.mjs): a launcher that names it and a package without it cannot start. */
const PROGRAM = 'kassa-main.cjs';

/** What a release's files lack to start: REQUIRED, and the program when kassa.mjs is the launcher that runs it. */
export function missingFiles(files: readonly ReleaseFile[]): string[] {
  const paths = new Set(files.map((f) => f.path));
  const missing = REQUIRED.filter((p) => !paths.has(p));
  const launcher = files.find((f) => f.path === 'kassa.mjs');
  if (launcher && !paths.has(PROGRAM) && Buffer.from(launcher.data.buffer, launcher.data.byteOffset, launcher.data.byteLength).includes(PROGRAM)) missing.push(`${PROGRAM} (kassa.mjs is the launcher that runs it)`);
  return missing;
}

export function encodeReleasePackage(p: ReleasePackage): Uint8Array {
  return encode({ format: PACKAGE_FORMAT, release: p.release, files: p.files.map((f) => ({ path: f.path, mode: f.mode, data: f.data })) });
}

/** @throws UpdateError `package_invalid`, naming what is wrong. */
export function decodeReleasePackage(bytes: Uint8Array): ReleasePackage {
  const invalid = (why: string): never => {
    throw new UpdateError('package_invalid', `release package: ${why}`);
  };
  let value: unknown;
  try {
    value = decode(bytes);
  } catch (e) {
    return invalid(`not CBOR (${e instanceof Error ? e.message : String(e)})`);
  }
  const v = value as { format?: unknown; release?: Partial<ReleaseStamp>; files?: unknown };
  if (v?.format !== PACKAGE_FORMAT) invalid(`format is not ${PACKAGE_FORMAT}`);
  const r = v.release;
  if (typeof r?.name !== 'string' || typeof r.version !== 'string' || typeof r.commit !== 'string') invalid('release stamp missing');
  if (!Array.isArray(v.files)) invalid('no file list');
  const files: ReleaseFile[] = [];
  const seen = new Set<string>();
  for (const f of v.files as { path?: unknown; mode?: unknown; data?: unknown }[]) {
    if (typeof f?.path !== 'string' || !safePath(f.path)) invalid(`unsafe path ${JSON.stringify(f?.path)}`);
    if (typeof f.mode !== 'number' || !Number.isInteger(f.mode) || f.mode < 0 || f.mode > 0o777) invalid(`${f.path as string}: bad mode`);
    if (!(f.data instanceof Uint8Array)) invalid(`${f.path as string}: no data`);
    if (seen.has(f.path as string)) invalid(`${f.path as string} twice`);
    seen.add(f.path as string);
    files.push({ path: f.path as string, mode: f.mode as number, data: f.data as Uint8Array });
  }
  const missing = missingFiles(files);
  if (missing.length > 0) invalid(`${missing.join(', ')} missing`);
  const stamp = JSON.parse(Buffer.from(files.find((f) => f.path === 'release.json')!.data).toString('utf8')) as Partial<ReleaseStamp>;
  if (stamp.version !== r!.version || stamp.commit !== r!.commit) invalid(`release.json says ${stamp.version} (${stamp.commit}), the package ${r!.version} (${r!.commit})`);
  return { release: { name: r!.name!, version: r!.version!, commit: r!.commit! }, files };
}

function safePath(path: string): boolean {
  if (path === '' || path.startsWith('/') || path.includes('\\') || path.includes('\0')) return false;
  return path.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** What the cloud signs into an order for a package: its size, hash, and each chunk's hash. */
export function chunkPlan(bytes: Uint8Array, chunkSize: number): { size: number; sha256: string; chunkSize: number; chunks: string[] } {
  const chunks: string[] = [];
  for (let at = 0; at < bytes.length; at += chunkSize) chunks.push(sha256Hex(bytes.subarray(at, at + chunkSize)));
  return { size: bytes.length, sha256: sha256Hex(bytes), chunkSize, chunks };
}
