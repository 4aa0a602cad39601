/**
 * Packs a release folder (the dist/ of `npm run build`) for `kassa cloud update`: every file
 * but the source maps, with its mode, and the stamp from its release.json.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { missingFiles, type ReleaseFile, type ReleasePackage, type ReleaseStamp } from './release-package.ts';
import { UpdateError } from './update-error.ts';

export function packRelease(dir: string): ReleasePackage {
  const files: ReleaseFile[] = [];
  const walk = (rel: string): void => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && !entry.name.endsWith('.map')) files.push({ path, mode: statSync(join(dir, path)).mode & 0o777, data: readFileSync(join(dir, path)) });
    }
  };
  walk('');
  const missing = missingFiles(files);
  if (missing.length > 0) throw new UpdateError('package_invalid', `${dir} is not a whole release folder: ${missing.join(', ')} missing`);
  const stamp = JSON.parse(readFileSync(join(dir, 'release.json'), 'utf8')) as ReleaseStamp;
  return { release: { name: stamp.name, version: stamp.version, commit: stamp.commit }, files };
}
