/**
 * `kassa cloud …`: the cloud's side as reference tools an integrator can run against a broker
 * (issues 12 and 14). Each verb is its own file; this one only dispatches.
 */
import { CLOUD_UPDATE_USAGE, cloudUpdate } from './cloud-update-command.ts';
import { UsageError, type CliContext, type Command } from './cli-context.ts';

const VERBS: Readonly<Record<string, { readonly usage: string; readonly run: (ctx: CliContext, args: readonly string[]) => Promise<number> | number }>> = {
  update: { usage: CLOUD_UPDATE_USAGE, run: cloudUpdate },
};

export const cloudCommand: Command = {
  name: 'cloud',
  summary: "the cloud's part, against a broker: signed firmware updates",
  usage: Object.values(VERBS)
    .map((v) => v.usage)
    .join('\n\n'),
  async run(ctx: CliContext): Promise<number> {
    const [verb, ...rest] = ctx.args;
    const v = verb !== undefined && Object.hasOwn(VERBS, verb) ? VERBS[verb] : undefined;
    if (!v) throw new UsageError(`kassa cloud: one of ${Object.keys(VERBS).join(', ')}, not "${verb ?? ''}"`);
    return v.run(ctx, rest);
  },
};
