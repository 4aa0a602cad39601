/**
 * The replay guard of signed commands (issue 12 §4): the highest sequence number accepted,
 * kept durably (device state) so a command replayed after a restart is still refused. The
 * number is written BEFORE the command is acted on: a power cut between the two loses the
 * command (the cloud sees no result and sends it again with a new number) but can never
 * let the same command act twice.
 */
export interface ReplayGuardDeps {
  /** The highest number stored, 0 when none. */
  recall(): number;
  /** Stores a new highest number durably. */
  remember(seq: number): Promise<void>;
}

export class ReplayGuard {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: ReplayGuardDeps) {}

  get highest(): number {
    return this.deps.recall();
  }

  /** Claims `seq`: true when it is above every number claimed before (and is now stored), false for a replay. */
  claim(seq: number): Promise<boolean> {
    // One claim at a time: two copies of a command arriving together must not both pass.
    const next = this.chain.then(async () => {
      if (seq <= this.deps.recall()) return false;
      await this.deps.remember(seq);
      return true;
    });
    this.chain = next.catch(() => undefined);
    return next;
  }
}
