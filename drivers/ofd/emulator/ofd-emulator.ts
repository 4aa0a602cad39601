/**
 * The OFD emulator: a TCP server speaking the KKT↔OFD session protocol (fiscal-spec §3).
 * For each message it decodes the container and the document's TLV, keeps the document
 * (in memory, and as JSON files when a folder is given), and answers with an operator
 * confirmation (FD type 7, code 0) carrying the test ФПО the FN emulator verifies with the
 * shared test key (operator-sign.ts). An emulator, not an OFD: no crypto, no FNS.
 *
 * Knobs for faults: down (connections refused), slow, reject with a code, garbage reply,
 * partial reply, close mid-reply.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { concatBytes } from '../../../firmware/core/bytes.ts';
import type { Clock } from '../../../firmware/core/clock.ts';
import { hex, type Log } from '../../../firmware/core/log.ts';
import { decodeTlv, findTag, type TlvNode } from '../../../firmware/fiscal/tlv-codec.ts';
import { decodeContainer } from '../ofd-container.ts';
import { vatTotalsView, type VatTotalsView } from './ofd-vat-totals.ts';
import { encodeConfirmation } from '../operator-confirmation.ts';
import { decodeSessionHeader, SESSION_HEADER, wrapMessage } from '../session-header.ts';

export interface OfdEmulatorOptions {
  readonly ofdInn: string;
  readonly operatorKey: string;
  /** Received documents are written here as JSON, one file each. */
  readonly documentsDir?: string;
}

export interface OfdEmulatorFaults {
  /** Refuse connections (the OFD is down). */
  down: boolean;
  /** Wait before answering, ms. */
  slowMs: number;
  /** Answer with this OFD code (1022) instead of 0: the document is refused. */
  rejectCode: number;
  /** Answer with bytes that are no OFD message. */
  garbage: boolean;
  /** Answer with a header announcing more body than is sent, then close. */
  partial: boolean;
  /** Close the connection in the middle of the reply. */
  closeMidReply: boolean;
}

export const OFD_NO_FAULTS: OfdEmulatorFaults = { down: false, slowMs: 0, rejectCode: 0, garbage: false, partial: false, closeMidReply: false };

export interface ReceivedDocument {
  readonly fnNumber: string;
  readonly fd: number;
  readonly fdType: number;
  /** The document's tags, as decoded (bytes as hex). */
  readonly tags: unknown;
  /** Receipts: the VAT totals by their FNS JSON names, 1115 included (ofd-vat-totals.ts). */
  readonly vatTotals?: VatTotalsView;
}

export interface OfdEmulatorDeps {
  readonly clock: Clock;
  readonly log: Log;
}

export class OfdEmulator {
  readonly faults: OfdEmulatorFaults;
  readonly documents: ReceivedDocument[] = [];
  readonly counters = { connections: 0, refused: 0, received: 0, confirmed: 0, rejected: 0, duplicates: 0, bad: 0, bytesIn: 0, bytesOut: 0 };
  private readonly seen = new Set<string>();
  /** Connections that sent a message and have not had their reply yet. */
  private open = 0;
  private server: Server | undefined;
  private boundPort = 0;
  private readonly log: Log;

  constructor(
    private readonly deps: OfdEmulatorDeps,
    private readonly options: OfdEmulatorOptions,
    faults: Partial<OfdEmulatorFaults> = {},
  ) {
    this.faults = { ...OFD_NO_FAULTS, ...faults };
    this.log = deps.log.child('ofd-emulator');
    if (options.documentsDir) mkdirSync(options.documentsDir, { recursive: true });
  }

  /** Starts listening; resolves with the port (0 picks a free one). */
  async listen(port = 0, host = '127.0.0.1'): Promise<number> {
    const server = createServer((socket) => this.serve(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const address = server.address();
    this.boundPort = typeof address === 'object' && address ? address.port : port;
    this.server = server;
    return this.boundPort;
  }

  get port(): number {
    return this.boundPort;
  }

  /** Exchanges in progress: a message received, its reply not yet sent. */
  get inFlight(): number {
    return this.open;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  /** Confirmations of one FN's documents, by FD number: how many times each was confirmed. */
  confirmationsOf(fnNumber: string): Map<number, number> {
    const out = new Map<number, number>();
    for (const d of this.documents) if (d.fnNumber === fnNumber) out.set(d.fd, (out.get(d.fd) ?? 0) + 1);
    return out;
  }

  private serve(socket: Socket): void {
    this.counters.connections++;
    if (this.faults.down) {
      this.counters.refused++;
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const chunks: Uint8Array[] = [];
    let received = 0;
    socket.on('data', (chunk: Buffer) => {
      chunks.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      received += chunk.length;
      if (received < SESSION_HEADER) return;
      const bytes = concatBytes(chunks);
      const head = decodeSessionHeader(bytes);
      if (!head.ok) {
        this.counters.bad++;
        this.log.warn(`not an OFD message (${head.problem}): ${hex(bytes.subarray(0, 8))}`);
        socket.destroy();
        return;
      }
      const total = SESSION_HEADER + head.header.bodyLength;
      if (received < total) return;
      socket.removeAllListeners('data');
      this.counters.bytesIn += total;
      this.open++;
      const reply = this.answer(bytes.subarray(SESSION_HEADER, total), head.header.pVersion);
      const send = (): void => this.reply(socket, reply);
      if (this.faults.slowMs > 0) this.deps.clock.after(this.faults.slowMs, send);
      else send();
    });
    socket.on('error', () => socket.destroy());
  }

  private answer(container: Uint8Array, pVersion: number): Uint8Array | undefined {
    const decoded = decodeContainer(container);
    if (!decoded.ok) {
      this.counters.bad++;
      this.log.warn(`bad container: ${decoded.problem}`);
      return undefined;
    }
    const c = decoded.container;
    // The body is the document STLV, then the FN's trailer: decode the STLV alone.
    const length = (c.body[2] ?? 0) | ((c.body[3] ?? 0) << 8);
    let nodes: TlvNode[];
    try {
      nodes = decodeTlv(c.body.subarray(0, 4 + length));
    } catch (e) {
      this.counters.bad++;
      this.log.warn(`FD ${c.fdNumber}: the document is not TLV: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
    const document = nodes[0];
    const tags = Array.isArray(document?.value) ? (document.value as TlvNode[]) : [];
    const key = `${c.fnNumber}:${c.fdNumber}`;
    this.counters.received++;
    if (this.faults.rejectCode === 0) {
      if (this.seen.has(key)) this.counters.duplicates++;
      this.seen.add(key);
      const vatTotals = vatTotalsView(tags);
      const doc: ReceivedDocument = { fnNumber: c.fnNumber, fd: c.fdNumber, fdType: c.fdType, tags: toJson(tags), ...(vatTotals ? { vatTotals } : {}) };
      this.documents.push(doc);
      this.counters.confirmed++;
      if (this.options.documentsDir) writeFileSync(join(this.options.documentsDir, `${c.fnNumber}-${String(c.fdNumber).padStart(8, '0')}.json`), `${JSON.stringify(doc, null, 2)}\n`);
    } else {
      this.counters.rejected++;
    }
    const dateTime = findTag(tags, 1012)?.value;
    const confirmation = encodeConfirmation({
      fnNumber: c.fnNumber,
      fdNumber: c.fdNumber,
      ofdInn: this.options.ofdInn,
      dateTime: typeof dateTime === 'number' ? dateTime : Math.floor(this.deps.clock.now() / 1000),
      ofdCode: this.faults.rejectCode,
      operatorKey: this.options.operatorKey,
    });
    return wrapMessage(confirmation, c.fnNumber, pVersion);
  }

  private reply(socket: Socket, reply: Uint8Array | undefined): void {
    this.open--;
    const f = this.faults;
    if (!reply) return void socket.destroy();
    let bytes = reply;
    if (f.garbage) bytes = Uint8Array.from({ length: 48 }, (_, i) => (i * 37 + 11) & 0xff);
    else if (f.partial) bytes = reply.subarray(0, SESSION_HEADER + Math.floor((reply.length - SESSION_HEADER) / 2));
    if (f.closeMidReply) {
      socket.write(reply.subarray(0, Math.floor(reply.length / 2)), () => socket.destroy());
      return;
    }
    this.counters.bytesOut += bytes.length;
    socket.end(bytes);
  }
}

function toJson(nodes: readonly TlvNode[]): unknown {
  return nodes.map((n) => ({ tag: n.tag, value: n.value instanceof Uint8Array ? hex(n.value) : Array.isArray(n.value) ? toJson(n.value as TlvNode[]) : n.value }));
}
