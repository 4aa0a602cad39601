/**
 * Builds the register's release folder, dist/, which a workshop copies onto a board (issue 14 §1):
 *   dist/kassa.mjs             what `node kassa.mjs` runs: a small launcher that runs the program
 *                              through V8's code cache (firmware/launch/)
 *   dist/kassa-main.cjs        the program: one minified CommonJS bundle of firmware/main.ts
 *   dist/*.map                 their source maps, apart: not loaded on the board, kept to read a stack trace
 *   dist/prebuilds/<target>/   serialport's native binding for linux-x64, linux-arm, linux-arm64
 *   dist/release.json          the version stamp: version, build commit, build time (`kassa --version`)
 *   dist/deploy/               the systemd unit, the install script and their README
 *
 * serialport's native binding cannot live inside a bundle: its loader (node-gyp-build)
 * looks for `prebuilds/<platform>-<arch>/*.node` next to the package. We bundle the JS,
 * point that loader at the bundle's own folder, and ship the prebuilds beside it:
 *   dist/kassa-main.cjs
 *   dist/prebuilds/linux-x64/…node, linux-arm/…, linux-arm64/…   (the boards we flash)
 */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const bindingsDir = dirname(require.resolve('@serialport/bindings-cpp/package.json'));
// KASSA_BUILD_OUT and KASSA_BUILD_VERSION build a release elsewhere, or as another version: the
// update tests make release N+1 this way (issue 14 §3). Unset, it is dist/ at package.json's version.
const out = process.env.KASSA_BUILD_OUT || 'dist';
const TARGETS = ['linux-x64', 'linux-arm', 'linux-arm64'];

/** The commit the release is built from; a build outside a git checkout says so instead of guessing. */
function buildCommit() {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
    return dirty ? `${commit}-dirty` : commit;
  } catch {
    return 'unknown';
  }
}

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const release = { name: pkg.name, version: process.env.KASSA_BUILD_VERSION || pkg.version, commit: buildCommit(), builtAt: new Date().toISOString(), node: pkg.engines.node, targets: TARGETS };

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

/**
 * The register prints and talks to the FN in CP866 only (firmware/fiscal/cp866.ts), but
 * iconv-lite's encodings index pulls in every code page it knows, CJK tables included: about a
 * third of the bundle. Keep iconv-lite's own codecs and, of its single-byte tables, only the
 * code pages named here, copied from iconv-lite at build time (it stays their source).
 */
const CODE_PAGES = ['cp866'];
const onlyTheCodePagesWeUse = {
  name: 'only-the-code-pages-we-use',
  setup(b) {
    b.onLoad({ filter: /iconv-lite[\\/]encodings[\\/]index\.js$/ }, () => {
      const tables = require('iconv-lite/encodings/sbcs-data-generated');
      const kept = Object.fromEntries(Object.entries(tables).filter(([name, v]) => CODE_PAGES.includes(name) || CODE_PAGES.includes(v)));
      for (const cp of CODE_PAGES) if (typeof kept[cp] !== 'object') throw new Error(`iconv-lite has no single-byte table "${cp}": update build.mjs`);
      return {
        contents: [
          'var merge = require("../lib/helpers/merge-exports");',
          'merge(exports, require("./internal"));',
          'merge(exports, require("./sbcs-codec"));',
          `merge(exports, ${JSON.stringify(kept)});`,
        ].join('\n'),
        resolveDir: dirname(require.resolve('iconv-lite/encodings/index.js')),
        loader: 'js',
      };
    });
  },
};

/**
 * The JSON Schema checks ship compiled (issue 9 §5): ajv compiling the job and config schemas
 * at every start took most of a board's start-up and left the compiler's garbage resident. A
 * `*-validator.ts` module exports `schema`, `options` and `validate` (ajv compiling at load, as
 * under tsx); here it is replaced by ajv's standalone code made from the same schema and
 * options (build-validators.mjs), so the bundle's check is the one the tests run.
 */
const precompiledValidators = {
  name: 'precompiled-validators',
  setup(b) {
    b.onLoad({ filter: /firmware[\\/](jobs[\\/](job|do-receipt)|config[\\/]config|provisioning[\\/]factory)-validator\.ts$/ }, (args) => {
      const script = `import { standaloneValidator } from ${JSON.stringify(pathToFileURL('build-validators.mjs').href)}; process.stdout.write(await standaloneValidator(${JSON.stringify(pathToFileURL(args.path).href)}));`;
      const contents = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 64 << 20 });
      return { contents, loader: 'js', resolveDir: dirname(require.resolve('ajv/package.json')) };
    });
  },
};

/**
 * Library modules on paths the register does not take, loaded at their first call instead of
 * at every start (issue 9 §5: about 45 ms of a board's boot, and their memory): MQTT.js's
 * WebSocket stream (ws, http, https; only a ws:// or wss:// broker URL calls it), its SOCKS
 * proxy (socks, ip-address; only with MQTTJS_SOCKS_PROXY set) and worker-timers (browser
 * timers; in Node MQTT.js keeps its pings on Node's own). MQTT.js requires all three when it
 * first connects. Each is replaced by a module with the same exported functions that require
 * the real module when one of them is first called: what runs then is the library's own code.
 */
const LOAD_ON_FIRST_CALL = [
  { filter: /mqtt[\\/]build[\\/]lib[\\/]connect[\\/]ws\.js$/, names: ['streamBuilder', 'browserStreamBuilder'] },
  { filter: /mqtt[\\/]build[\\/]lib[\\/]connect[\\/]socks\.js$/, names: ['default'] },
  { filter: /worker-timers[\\/]build[\\/]es5[\\/]bundle\.js$/, names: ['clearInterval', 'clearTimeout', 'setInterval', 'setTimeout'] },
];
const REAL = 'kassa-real-module:';
const loadOnFirstCall = {
  name: 'load-on-first-call',
  setup(b) {
    for (const { filter, names } of LOAD_ON_FIRST_CALL) {
      b.onLoad({ filter, namespace: 'file' }, async (args) => {
        const { readFile } = await import('node:fs/promises');
        const source = await readFile(args.path, 'utf8');
        for (const name of names) {
          if (!new RegExp(`exports\\.${name}\\b|\\b${name}\\b`).test(source)) throw new Error(`${args.path} has no export "${name}" any more: update build.mjs`);
        }
        return {
          contents: [
            'Object.defineProperty(exports, "__esModule", { value: true });',
            'let real;',
            `const load = () => (real ??= require(${JSON.stringify(REAL + args.path)}));`,
            ...names.map((n) => `exports.${n} = (...a) => load().${n}(...a);`),
          ].join('\n'),
          loader: 'js',
          resolveDir: dirname(args.path),
        };
      });
    }
    b.onResolve({ filter: new RegExp(`^${REAL}`) }, (args) => ({ path: args.path.slice(REAL.length), namespace: 'kassa-real' }));
    b.onLoad({ filter: /.*/, namespace: 'kassa-real' }, async (args) => {
      const { readFile } = await import('node:fs/promises');
      return { contents: await readFile(args.path, 'utf8'), loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  minify: true,
  // 'external': the map is written beside the bundle but not linked from it, so the board
  // never reads it; `kassa stack` maps a board's stack trace with it in the workshop.
  sourcemap: 'external',
  legalComments: 'linked',
};
// The program: CommonJS, because Node 20 takes V8's code cache only for a classic script
// (firmware/launch/program-loader.ts runs it through that cache).
const program = await build({
  ...common,
  metafile: true,
  entryPoints: ['firmware/main.ts'],
  outfile: join(out, 'kassa-main.cjs'),
  format: 'cjs',
  // The loader's vm.Script has no loader for import(): esbuild turns each into a require.
  supported: { 'dynamic-import': false },
  // import.meta is empty in CommonJS: import.meta.url (cbor-x reads it) is the program's own
  // URL, as in a module; any other use of import.meta fails the build instead of being a silent bug.
  logOverride: { 'empty-import-meta': 'error' },
  // The version stamp is compiled in: firmware/core/build-info.ts reads it (undefined under tsx).
  define: { __KASSA_RELEASE__: JSON.stringify(release), 'import.meta.url': '__kassaImportMetaUrl' },
  plugins: [nativeBindingBesideBundle, onlyTheCodePagesWeUse, precompiledValidators, loadOnFirstCall],
  // The program is written as the function Node wraps a CommonJS module in, strict as the ES
  // modules it is made of: the loader compiles the file's text as it is, no copy with a wrapper.
  banner: { js: `(function (exports, require, module, __filename, __dirname) {"use strict";\nconst __kassaBundleDir = __dirname;\nconst __kassaImportMetaUrl = require('node:url').pathToFileURL(__filename).href;` },
  footer: { js: '\n})' },
});
// The launcher, what `node kassa.mjs` runs: the program above through the code cache.
await build({
  ...common,
  entryPoints: ['firmware/launch/kassa-launcher.ts'],
  outfile: join(out, 'kassa.mjs'),
  format: 'esm',
  banner: { js: '#!/usr/bin/env node' },
});
// V8 keeps a script's source in memory for as long as the script lives, and one character
// above U+00FF anywhere makes the whole source a two-byte string: 3.8 MiB instead of 1.9 of a
// small board's heap (issue 9 §5); the loader also reads the program as latin1. esbuild escapes
// strings and templates by itself (charset 'ascii'), but not regular-expression literals: write
// those with \u escapes.
for (const file of ['kassa-main.cjs', 'kassa.mjs']) {
  const text = readFileSync(join(out, file), 'latin1');
  const wide = text.search(/[^\x00-\x7f]/);
  if (wide >= 0) throw new Error(`dist/${file} is not ASCII at byte ${wide}: …${text.slice(Math.max(0, wide - 60), wide + 20)}… (write that literal with \\u escapes)`);
}
// A dynamic import left in the program would throw when reached (no loader for it in vm.Script).
const leftImports = Object.values(program.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path));
if (leftImports.length > 0) throw new Error(`dist/kassa-main.cjs still has import() of ${leftImports.join(', ')}: the program's loader cannot run it`);
for (const target of TARGETS) {
  cpSync(join(bindingsDir, 'prebuilds', target), join(out, 'prebuilds', target), { recursive: true });
}
chmodSync(join(out, 'kassa.mjs'), 0o755);
writeFileSync(join(out, 'release.json'), `${JSON.stringify(release, null, 2)}\n`);
cpSync('deploy', join(out, 'deploy'), { recursive: true });
chmodSync(join(out, 'deploy', 'install.sh'), 0o755);
// The install script writes it to /etc/kassa/config.json when the board has none yet.
cpSync('device-config/production.example.json', join(out, 'deploy', 'config.example.json'));
const kib = (file) => (statSync(join(out, file)).size / 1024).toFixed(0);
console.log(`built ${out}/ — ${release.name} ${release.version} (${release.commit}): kassa-main.cjs ${kib('kassa-main.cjs')} KiB minified and its launcher kassa.mjs ${kib('kassa.mjs')} KiB, maps apart, serialport prebuilds for ${TARGETS.join(', ')}, deploy/`);
