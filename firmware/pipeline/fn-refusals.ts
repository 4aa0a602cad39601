/**
 * What a refusal of the FN means for the job and the cloud: the recommendation of the
 * result and a stable error code, by FN response code (fn-protocol Tables 4–5). One table.
 */
import { FN_CODE } from '../../drivers/fn/fn-response-codes.ts';
import type { Recommendation } from '../jobs/job-result.ts';

interface RefusalMeaning {
  readonly code: string;
  readonly recommendation: Recommendation;
  readonly text: string;
}

const MEANINGS: ReadonlyMap<number, RefusalMeaning> = new Map([
  [FN_CODE.WRONG_STATE, { code: 'fn_state', recommendation: 'fix_device', text: 'the FN is not in a state to form this document' }],
  [FN_CODE.FN_FAILURE, { code: 'fn_failure', recommendation: 'fix_device', text: 'FN failure' }],
  [FN_CODE.CRYPTO_FAILURE, { code: 'fn_failure', recommendation: 'fix_device', text: 'FN crypto-coprocessor failure' }],
  [FN_CODE.LIFETIME_EXCEEDED, { code: 'fn_lifetime', recommendation: 'fix_device', text: 'the FN lifetime is over' }],
  [FN_CODE.BAD_DATE_TIME, { code: 'clock', recommendation: 'fix_device', text: 'the register clock is behind the FN' }],
  [FN_CODE.FN_FORMED_TAG, { code: 'invalid_document', recommendation: 'fix_data', text: 'the document carries a tag the FN forms itself' }],
  [FN_CODE.DUPLICATE_TAG, { code: 'invalid_document', recommendation: 'fix_data', text: 'the document repeats a tag' }],
  [FN_CODE.TOTALS_DATA_MISSING, { code: 'invalid_document', recommendation: 'fix_data', text: 'the document lacks data the FN needs for its totals' }],
  [FN_CODE.TOO_MANY_ITEMS, { code: 'invalid_document', recommendation: 'fix_data', text: 'too many items for one receipt' }],
  [FN_CODE.TLV_SIZE_EXCEEDED, { code: 'invalid_document', recommendation: 'fix_data', text: 'the document is larger than the FN allows' }],
  [FN_CODE.RESOURCE_EXHAUSTED, { code: 'fn_exhausted', recommendation: 'fix_device', text: 'the FN resource is exhausted: replace the FN' }],
  [FN_CODE.RESOURCE_LIMIT, { code: 'fn_blocked', recommendation: 'fix_device', text: 'the FN is blocked: documents have waited for the OFD more than 30 days' }],
  [FN_CODE.SHIFT_OVER_24H, { code: 'shift_expired', recommendation: 'retry', text: 'the shift has lasted more than 24 hours' }],
  [FN_CODE.TIMER_MISMATCH, { code: 'clock', recommendation: 'fix_device', text: 'the register clock disagrees with the FN timer by more than 5 minutes' }],
  [FN_CODE.BAD_TLV, { code: 'invalid_document', recommendation: 'fix_data', text: 'a tag has a bad format or length' }],
  [FN_CODE.CONTRADICTS_REGISTRATION, { code: 'invalid_document', recommendation: 'fix_data', text: 'a tag contradicts the registration' }],
]);

export function refusalMeaning(fnCode: number): RefusalMeaning {
  return MEANINGS.get(fnCode) ?? { code: 'fn_refused', recommendation: 'fix_device', text: 'the FN refused the document' };
}
