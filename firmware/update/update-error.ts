/**
 * Why a firmware update was refused or failed (issue 14 §2). Every reason leaves the register
 * as it was: the running slot untouched, partial downloads deleted.
 */
import { KassaError } from '../core/kassa-error.ts';

export type UpdateFailure =
  | 'malformed' // the command's body is not an update order (updateOrder says which field)
  | 'not_newer' // the version is not above the running one, and the order is not forced
  | 'too_large' // the release is larger than the register accepts
  | 'busy' // another update is under way
  | 'transfer' // chunks did not arrive within the retries
  | 'chunk_hash' // a chunk's SHA-256 is not the one the signed order names
  | 'package_hash' // the whole release's SHA-256 or size is not the one the signed order names
  | 'package_invalid' // the release does not unpack (paths, missing files, another version inside)
  | 'install' // writing the inactive slot failed
  | 'unhealthy' // the new version did not prove itself healthy in time: the previous one is back
  | 'crashed'; // the new version did not start, again and again: the boot guard brought the previous one back

export class UpdateError extends KassaError {
  constructor(
    readonly reason: UpdateFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('UPDATE', message, options);
  }
}
