/**
 * The cloud's side of the chunk transfer (firmware/update/chunk-fetcher.ts has the protocol):
 * answers `{id, index}` requests with the package's chunks. Used by `kassa cloud update send`
 * and by the tests that play the cloud. Pure: bytes in, bytes out.
 */
import { encode } from 'cbor-x';

export interface ChunkAnswer {
  readonly index: number;
  readonly payload: Uint8Array;
}

export class ChunkServer {
  readonly served = new Map<number, number>();

  constructor(
    readonly id: string,
    private readonly bytes: Uint8Array,
    readonly chunkSize: number,
  ) {}

  get chunkCount(): number {
    return Math.ceil(this.bytes.length / this.chunkSize);
  }

  /** The answer to one request, or undefined when it is not for this update or out of range. */
  answer(request: Uint8Array, transform: (index: number, data: Uint8Array) => Uint8Array = (_, d) => d): ChunkAnswer | undefined {
    let r: { id?: unknown; index?: unknown };
    try {
      r = JSON.parse(Buffer.from(request).toString('utf8')) as typeof r;
    } catch {
      return undefined;
    }
    if (r.id !== this.id || typeof r.index !== 'number' || !Number.isInteger(r.index) || r.index < 0 || r.index >= this.chunkCount) return undefined;
    const data = transform(r.index, this.bytes.subarray(r.index * this.chunkSize, (r.index + 1) * this.chunkSize));
    this.served.set(r.index, (this.served.get(r.index) ?? 0) + 1);
    return { index: r.index, payload: encode({ id: this.id, index: r.index, data }) };
  }
}
