/**
 * The house's arrows (DESIGN.md §2, issue 9 §4): no two modules of firmware/ and drivers/
 * import each other, directly or round a longer circle, and no folder of firmware/ imports
 * one above it in the layer order below. Reads the import lines as text: no module is run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

/**
 * firmware/ top to bottom: a room imports only rooms below it. This is DESIGN §2's list
 * put in the order the code keeps (core/ at the bottom, since every room uses it), with
 * launch/ on top: dist/kassa.mjs, which runs the bundled main.ts as a program apart.
 */
const LAYERS = ['launch', 'main.ts', 'cli', 'app.ts', 'local-api', 'provisioning', 'console', 'status', 'schedule', 'pipeline', 'ofd', 'print', 'jobs', 'journal', 'state', 'update', 'security', 'config', 'fiscal', 'core'] as const;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Relative imports of one file, type-only ones included (a circle of types is still a circle of meaning). */
function importsOf(file: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'(\.{1,2}\/[^']+)'|^\s*import\s+'(\.{1,2}\/[^']+)'/gm)) {
    const spec = m[1] ?? m[2];
    if (spec && spec.endsWith('.ts')) out.push(normalize(join(dirname(file), spec)));
  }
  return out;
}

/** Strongly connected components with more than one module (Tarjan). */
function circles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      for (let w = stack.pop(); w !== undefined; w = w === v ? undefined : stack.pop()) {
        on.delete(w);
        scc.push(w);
        if (w === v) break;
      }
      if (scc.length > 1) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found;
}

function layerOf(file: string): number {
  const room = file.split('/')[1] ?? '';
  return LAYERS.indexOf(room as (typeof LAYERS)[number]);
}

const graph = new Map<string, string[]>();
for (const file of [...sources('firmware'), ...sources('drivers')]) graph.set(file, importsOf(file, readFileSync(file, 'utf8')));

const test = suite('import graph (DESIGN §2)');

test('the circle finder finds a circle of two and one of three, and none in a line', () => {
  assert.equal(circles(new Map([['a', ['b']], ['b', ['a']], ['c', ['a']]])), [['a', 'b']]);
  assert.equal(circles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]])), [['a', 'b', 'c']]);
  assert.equal(circles(new Map([['a', ['b']], ['b', ['c']], ['c', []]])), []);
});

test('the import reader sees value, type and re-export imports', () => {
  const text = "import { a } from './a.ts';\nimport type { B } from '../b.ts';\nexport { c } from './c.ts';\nimport 'node:fs';\n";
  assert.equal(importsOf('x/y/z.ts', text), ['x/y/a.ts', 'x/b.ts', 'x/y/c.ts']);
});

test('every room of firmware/ has its place in the layer order', () => {
  const rooms = new Set([...graph.keys()].filter((f) => f.startsWith('firmware/')).map((f) => f.split('/')[1]));
  for (const room of rooms) assert.ok(layerOf(`firmware/${room}`) >= 0, `firmware/${room} is not in LAYERS`);
});

test('no two modules import each other, directly or round a circle', () => {
  assert.equal(circles(graph), []);
});

test('no room of firmware/ imports a room above it', () => {
  const upward: string[] = [];
  for (const [file, imports] of graph) {
    if (!file.startsWith('firmware/')) continue;
    for (const target of imports) {
      if (!target.startsWith('firmware/') || target.split('/')[1] === file.split('/')[1]) continue;
      if (layerOf(target) < layerOf(file)) upward.push(`${file} → ${target}`);
    }
  }
  assert.equal(upward, []);
});

test.run();
