/**
 * The replay guard of signed commands (issue 12 §4): the highest sequence number accepted,
 * kept durably (device state) so a command replayed after a restart is still refused. The
 * number is written BEFORE the command is acted on: a power cut between the two loses the
 * command (the cloud sees no result and sends it again with a new number) but can never
 * let the same command act twice. A command whose outcome is journaled (the FN's life) is
 * recorded in that same write, so it is either unseen (and acted on when it comes again)
 * or journaled (and finished after a power cut) — never "used and lost".
 */
import type { CloudCommand } from './command-envelope.ts';

export interface ReplayGuardDeps {
  /** The highest number stored, 0 when none. */
  recall(): number;
  /** Stores a new highest number durably, with the command when it is one that is journaled. */
  remember(seq: number, command?: CloudCommand): Promise<void>;
}

export class ReplayGuard {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: ReplayGuardDeps) {}

  get highest(): number {
    return this.deps.recall();
  }

  /** Claims `seq`: true when it is above every number claimed before (and is now stored), false for a replay. */
  claim(seq: number, command?: CloudCommand): Promise<boolean> {
    // One claim at a time: two copies of a command arriving together must not both pass.
    const next = this.chain.then(async () => {
      if (seq <= this.deps.recall()) return false;
      await this.deps.remember(seq, command);
      return true;
    });
    this.chain = next.catch(() => undefined);
    return next;
  }
}
