/**
 * What a refusal of the FN means for the job and the cloud: the recommendation of the
 * result and a stable error code, by FN response code (fn-protocol Tables 4–5). One table.
 */
import type { Recommendation } from '../jobs/job-result.ts';

interface RefusalMeaning {
  readonly code: string;
  readonly recommendation: Recommendation;
  readonly text: string;
}

const MEANINGS: ReadonlyMap<number, RefusalMeaning> = new Map([
  [0x02, { code: 'fn_state', recommendation: 'fix_device', text: 'the FN is not in a state to form this document' }],
  [0x03, { code: 'fn_failure', recommendation: 'fix_device', text: 'FN failure' }],
  [0x04, { code: 'fn_failure', recommendation: 'fix_device', text: 'FN crypto-coprocessor failure' }],
  [0x05, { code: 'fn_lifetime', recommendation: 'fix_device', text: 'the FN lifetime is over' }],
  [0x07, { code: 'clock', recommendation: 'fix_device', text: 'the register clock is behind the FN' }],
  [0x0b, { code: 'invalid_document', recommendation: 'fix_data', text: 'the document carries a tag the FN forms itself' }],
  [0x0c, { code: 'invalid_document', recommendation: 'fix_data', text: 'the document repeats a tag' }],
  [0x0d, { code: 'invalid_document', recommendation: 'fix_data', text: 'the document lacks data the FN needs for its totals' }],
  [0x0e, { code: 'invalid_document', recommendation: 'fix_data', text: 'too many items for one receipt' }],
  [0x10, { code: 'invalid_document', recommendation: 'fix_data', text: 'the document is larger than the FN allows' }],
  [0x12, { code: 'fn_exhausted', recommendation: 'fix_device', text: 'the FN resource is exhausted: replace the FN' }],
  [0x14, { code: 'fn_blocked', recommendation: 'fix_device', text: 'the FN is blocked: documents have waited for the OFD more than 30 days' }],
  [0x16, { code: 'shift_expired', recommendation: 'retry', text: 'the shift has lasted more than 24 hours' }],
  [0x17, { code: 'clock', recommendation: 'fix_device', text: 'the register clock disagrees with the FN timer by more than 5 minutes' }],
  [0x18, { code: 'invalid_document', recommendation: 'fix_data', text: 'a tag has a bad format or length' }],
  [0x19, { code: 'invalid_document', recommendation: 'fix_data', text: 'a tag contradicts the registration' }],
]);

export function refusalMeaning(fnCode: number): RefusalMeaning {
  return MEANINGS.get(fnCode) ?? { code: 'fn_refused', recommendation: 'fix_device', text: 'the FN refused the document' };
}
