/** OfdError: one OFD exchange that failed, and how (DESIGN.md §3 rule 5). */
import { KassaError } from '../../firmware/core/kassa-error.ts';

export type OfdFailure =
  | 'connect' // refused, unreachable or timed out connecting
  | 'send-timeout'
  | 'receive-timeout'
  | 'closed' // the OFD closed before a whole reply
  | 'garbage' // the reply's session header is not one
  | 'partial'; // fewer body bytes than the header announced

export class OfdError extends KassaError {
  readonly failure: OfdFailure;
  constructor(failure: OfdFailure, message: string, options?: { cause?: unknown }) {
    super('OFD', message, options);
    this.failure = failure;
  }
}
