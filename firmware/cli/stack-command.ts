/**
 * `kassa stack`: a stack trace of the bundled register, mapped back to the TypeScript sources it
 * was built from. Why a command: Node 20's `--enable-source-maps` does not map code that the
 * launcher runs through `vm.Script` (firmware/launch/program-loader.ts), and a board carries no
 * maps anyway (deploy/README.md): the workshop keeps them with the release.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { join } from 'node:path';
import { UsageError, type CliContext, type Command } from './cli-context.ts';

const USAGE = `usage: kassa stack [--map <file>] [<trace-file>]

Maps every frame of the bundled program (…/kassa-main.cjs:LINE:COLUMN) in a stack trace to the
source file, line and column it was built from, and prints the trace. The trace comes from
<trace-file>, or from standard input:
  journalctl -u kassa -o cat --since -1h | node dist/kassa.mjs stack

  --map <file>   the release's source map (default: kassa-main.cjs.map beside kassa.mjs, as
                 npm run build leaves it in dist/)`;

/** Each `…kassa-main.cjs:L:C` (1-based, as V8 prints them) replaced by `source:line:column`; frames the map does not know stay. */
export function mapStack(trace: string, map: SourceMap): string {
  return trace.replace(/(?:[^\s()]*\/)?kassa-main\.cjs:(\d+):(\d+)/g, (frame, line: string, column: string) => {
    const e = map.findEntry(Number(line) - 1, Number(column) - 1) as Partial<{ originalSource: string; originalLine: number; originalColumn: number }>;
    if (e.originalSource === undefined || e.originalLine === undefined || e.originalColumn === undefined) return frame;
    return `${e.originalSource.replace(/^(\.\.\/)+/, '')}:${e.originalLine + 1}:${e.originalColumn + 1}`;
  });
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
    let map: SourceMap;
    try {
      map = new SourceMap(JSON.parse(readFileSync(mapPath, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
    } catch (e) {
      ctx.err(`kassa stack: cannot read the source map ${mapPath} (${e instanceof Error ? e.message : String(e)}); name the release's kassa-main.cjs.map with --map`);
      return 1;
    }
    const trace = tracePath === undefined ? new TextDecoder().decode(await ctx.stdin.readAll()) : readFileSync(tracePath, 'utf8');
    ctx.write(new TextEncoder().encode(mapStack(trace, map)));
    return 0;
  },
};
