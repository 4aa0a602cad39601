/**
 * Builds the register: one ESM bundle, dist/kassa.mjs, that runs under plain `node`.
 *
 * serialport's native binding cannot live inside a bundle: its loader (node-gyp-build)
 * looks for `prebuilds/<platform>-<arch>/*.node` next to the package. We bundle the JS,
 * point that loader at the bundle's own folder, and ship the prebuilds beside it:
 *   dist/kassa.mjs
 *   dist/prebuilds/linux-x64/…node, linux-arm/…, linux-arm64/…   (the boards we flash)
 */
import { build } from 'esbuild';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const bindingsDir = dirname(require.resolve('@serialport/bindings-cpp/package.json'));
const out = 'dist';

/** Rewrites bindings-cpp's `nodeGypBuild(join(__dirname, '../'))` to look beside the bundle. */
const nativeBindingBesideBundle = {
  name: 'native-binding-beside-bundle',
  setup(b) {
    b.onLoad({ filter: /bindings-cpp[\\/]dist[\\/]serialport-bindings\.js$/ }, async (args) => {
      const { readFile } = await import('node:fs/promises');
      const source = await readFile(args.path, 'utf8');
      const patched = source.replace("(0, path_1.join)(__dirname, '../')", '__kassaBundleDir');
      if (patched === source) throw new Error('serialport-bindings.js changed shape: update build.mjs');
      return { contents: patched, loader: 'js' };
    });
  },
};

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: ['firmware/main.ts'],
  outfile: join(out, 'kassa.mjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  legalComments: 'linked',
  plugins: [nativeBindingBesideBundle],
  banner: {
    js: [
      '#!/usr/bin/env node',
      "import { createRequire as __kassaCreateRequire } from 'node:module';",
      "import { dirname as __kassaDirname } from 'node:path';",
      "import { fileURLToPath as __kassaFileURLToPath } from 'node:url';",
      'const require = __kassaCreateRequire(import.meta.url);',
      'const __kassaBundleDir = __kassaDirname(__kassaFileURLToPath(import.meta.url));',
    ].join('\n'),
  },
});
for (const target of ['linux-x64', 'linux-arm', 'linux-arm64']) {
  cpSync(join(bindingsDir, 'prebuilds', target), join(out, 'prebuilds', target), { recursive: true });
}
console.log(`built ${join(out, 'kassa.mjs')} with serialport prebuilds for linux-x64, linux-arm, linux-arm64`);
