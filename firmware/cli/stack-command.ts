/**
 * `kassa stack`: a stack trace of the bundled register, mapped back to the TypeScript sources it
 * was built from. Why a command: Node 20's `--enable-source-maps` does not map code that the
 * launcher runs through `vm.Script` (firmware/launch/program-loader.ts), and a board carries no
 * maps anyway (deploy/README.md): the workshop keeps them with the release.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, join } from 'node:path';
import { UsageError, type CliContext, type Command } from './cli-context.ts';

const USAGE = `usage: kassa stack [--map <file>] [<trace-file>]

Maps every frame of the bundled program (…/kassa-main.cjs:LINE:COLUMN) and of its launcher
(…/kassa.mjs:LINE:COLUMN) in a stack trace to the source file, line and column it was built
from, and prints the trace; on stderr, how many frames were mapped and with which release's
map. The trace comes from <trace-file>, or from standard input; in the workshop, with the
release the board runs:
  ssh <board> journalctl -u kassa -o cat --since -1h | node dist/kassa.mjs stack

  --map <file>   the program's source map (default: kassa-main.cjs.map beside kassa.mjs, as
                 npm run build leaves it in dist/; the launcher's is kassa.mjs.map beside it)`;

/** The maps of a release: the program's, and the launcher's when there is one. */
export interface ReleaseMaps {
  readonly program: SourceMap;
  readonly launcher?: SourceMap;
}

/**
 * Each frame `…kassa-main.cjs:L:C` or `…kassa.mjs:L:C` (1-based, as V8 prints them; a path
 * in parentheses may hold spaces) replaced by `source:line:column`. A frame the map does not
 * hold exactly (another release's map, a line past the end) stays as it was.
 */
export function mapStack(trace: string, maps: ReleaseMaps): { readonly text: string; readonly frames: number; readonly mapped: number } {
  let frames = 0;
  let mapped = 0;
  const text = trace.replace(/(\(|\bat )([^()\n]*?)\b(kassa-main\.cjs|kassa\.mjs):(\d+):(\d+)/g, (frame, lead: string, _dir: string, file: string, line: string, column: string) => {
    frames++;
    const map = file === 'kassa.mjs' ? maps.launcher : maps.program;
    const e = map?.findEntry(Number(line) - 1, Number(column) - 1) as Partial<{ generatedLine: number; originalSource: string; originalLine: number; originalColumn: number }> | undefined;
    if (e?.generatedLine !== Number(line) - 1 || e.originalSource === undefined || e.originalLine === undefined || e.originalColumn === undefined) return frame;
    mapped++;
    return `${lead}${e.originalSource.replace(/^(\.\.\/)+/, '')}:${e.originalLine + 1}:${e.originalColumn + 1}`;
  });
  return { text, frames, mapped };
}

/** The release a program map was made for: build.mjs compiles its stamp in (`__KASSA_RELEASE__`). */
export function releaseOfMap(raw: { sources?: string[]; sourcesContent?: (string | null)[] }): string | undefined {
  const i = raw.sources?.findIndex((s) => s.includes('__KASSA_RELEASE__')) ?? -1;
  try {
    const stamp = JSON.parse(raw.sourcesContent?.[i] ?? '') as { name?: string; version?: string; commit?: string };
    return `${stamp.name} ${stamp.version} (${stamp.commit})`;
  } catch {
    return undefined;
  }
}

function readMap(path: string): { map: SourceMap; raw: { sources?: string[]; sourcesContent?: (string | null)[] } } {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as ConstructorParameters<typeof SourceMap>[0] & { sources?: string[]; sourcesContent?: (string | null)[] };
  return { map: new SourceMap(raw), raw };
}

export const stackCommand: Command = {
  name: 'stack',
  usage: USAGE,
  async run(ctx: CliContext): Promise<number> {
    let mapPath = join(ctx.programDir, 'kassa-main.cjs.map');
    let tracePath: string | undefined;
    for (let i = 0; i < ctx.args.length; i++) {
      const a = ctx.args[i];
      if (a === '--map') {
        const value = ctx.args[++i];
        if (!value) throw new UsageError('--map needs the source map file');
        mapPath = value;
      } else if (a?.startsWith('-')) throw new UsageError(`unknown option ${a}`);
      else if (tracePath === undefined) tracePath = a;
      else throw new UsageError('one trace file at most');
    }
    let program: ReturnType<typeof readMap>;
    try {
      program = readMap(mapPath);
    } catch (e) {
      ctx.err(`kassa stack: cannot read the source map ${mapPath} (${e instanceof Error ? e.message : String(e)}); name the release's kassa-main.cjs.map with --map`);
      return 1;
    }
    let launcher: SourceMap | undefined;
    try {
      launcher = readMap(join(dirname(mapPath), 'kassa.mjs.map')).map;
    } catch {
      // a release from before the launcher, or the program's map alone: its frames stay as they are
    }
    const trace = tracePath === undefined ? new TextDecoder().decode(await ctx.stdin.readAll()) : readFileSync(tracePath, 'utf8');
    const r = mapStack(trace, { program: program.map, ...(launcher ? { launcher } : {}) });
    ctx.write(new TextEncoder().encode(r.text));
    const release = releaseOfMap(program.raw) ?? 'a release without a stamp';
    ctx.err(r.frames === 0 ? `kassa stack: no frame of kassa-main.cjs or kassa.mjs in the trace` : `kassa stack: ${r.mapped} of ${r.frames} frame(s) mapped with the map of ${release}${r.mapped < r.frames ? '; the others are not in that map (another release?)' : ''}`);
    return 0;
  },
};
