/**
 * FnFace: the FN in the register's words (DESIGN.md §2 "a domain face over it"; issue 9 §3).
 * The firmware asks for a status, a shift, a document formed, a registration or archive
 * close, a document read back, one OFD exchange step; which commands that takes
 * (fn-protocol §4) stays in drivers/fn/. Answers come back typed, refusals as FnError with
 * the FN's code (FN_CODE). `driver` is public for the wiring that builds the face and for
 * the print of a report from the archive; firmware logic speaks only through the methods.
 */
import type { FfdVersion } from '../../firmware/fiscal/ffd-version.ts';
import type { BuiltDocument } from '../../firmware/fiscal/receipt-builder.ts';
import type { TlvNode } from '../../firmware/fiscal/tlv-codec.ts';
import { decodeArchiveSummary, type ArchiveSummary } from './fn-archive-layouts.ts';
import { FN, type ResponseOf } from './fn-commands.ts';
import { asFnDateTime } from './fn-layout.ts';
import {
  closeFiscalArchive,
  closeShift,
  formReceipt,
  formStateReport,
  openShift,
  registerFn,
  type Fiscalized,
  type ReceiptResult,
  type RegistrationChange,
  type RegistrationRequest,
  type ShiftResult,
  type StateReportResult,
} from './fn-documents.ts';
import { Listeners } from '../port.ts';
import type { FnDriver } from './fn-driver.ts';
import { FnError } from './fn-error.ts';
import { readArchivedTlv, readOfdMessage, type ArchivedTlv } from './fn-procedures.ts';
import { FN_CODE } from './fn-response-codes.ts';
import { OFD_STATUS, OPEN_DOCUMENT } from './fn-status-flags.ts';

export type FnStatus = ResponseOf<typeof FN.getStatus>;
/**
 * The part of 30h that forming a document depends on, and all that statusBeforeForming
 * vouches for. Warning flags (which the OFD exchange and time change) and documentData are
 * not in it: whoever needs them asks the FN (status()).
 */
export type FormingStatus = Pick<FnStatus, 'phase' | 'document' | 'shiftOpen' | 'lastDocumentTime' | 'fnNumber' | 'lastFd'>;
export type ShiftParams = ResponseOf<typeof FN.getShiftParams>;
export type OfdExchangeStatus = ResponseOf<typeof FN.getOfdStatus>;

/** 3Ah "FFD in use" codes (fn-protocol §4.2.5): 1 = FFD 1.0/1.05, 4 = FFD 1.2; 0 = not registered. */
const FFD_IN_USE: Readonly<Record<number, FfdVersion>> = { 1: '1.05', 4: '1.2' };

export class FnFace {
  /**
   * Every document the FN formed through this face, whoever asked (a receipt, a shift report,
   * a registration or archive close): the OFD sender listens, so each one leaves at once
   * rather than at the sender's next idle check.
   */
  readonly formed = new Listeners<[fd: number]>();

  /**
   * The FN's last 30h and 10h answers, carried over the receipts this face formed since
   * (statusBeforeForming). Good while every command since was answered (driver.troubles did
   * not move) and no other document was formed: the register owns the FN (one process, one
   * driver; every command that changes the FN goes through this face).
   */
  private known: { troubles: number; status?: FnStatus; shift?: ShiftParams } = { troubles: -1 };

  constructor(readonly driver: FnDriver) {}

  private async forms<T extends { readonly fd: number }>(forming: Promise<T>): Promise<T> {
    // Whatever happens, a document other than a receipt changes what 30h and 10h say in ways
    // this face does not model (phase, shift): they are asked again. Forgotten once more when
    // it ends: a 30h or 10h sent before the document began answers what was true before it.
    this.forget();
    try {
      const r = await forming;
      this.formed.emit(r.fd);
      return r;
    } finally {
      this.forget();
    }
  }

  private forget(): void {
    this.known = { troubles: -1 };
  }

  private knownNow(): { readonly troubles: number; status?: FnStatus; shift?: ShiftParams } | undefined {
    return this.known.troubles === this.driver.troubles ? this.known : undefined;
  }

  private remember(part: { status: FnStatus } | { shift: ShiftParams }): void {
    const troubles = this.driver.troubles;
    this.known = { ...(this.known.troubles === troubles ? this.known : {}), ...part, troubles };
  }

  // ---- state (30h, 10h, 3Ah)
  async status(): Promise<FnStatus> {
    const status = (await this.driver.execute(FN.getStatus, {})).value;
    this.remember({ status });
    return status;
  }

  /**
   * 30h's FormingStatus as the FN would answer it before the register forms its next
   * document, asking only when this face does not know: after a receipt it formed itself, the
   * FN's phase, shift and FN number are as they were, no document is open, and the last FD
   * and its time are that receipt's. Saves one FN round trip per receipt. Health, status and
   * reconciliation ask the FN itself (status()).
   */
  async statusBeforeForming(): Promise<FormingStatus> {
    return this.knownNow()?.status ?? this.status();
  }

  /** 10h likewise (shiftBeforeForming): a receipt leaves the shift open, only its receipt number moves. */
  async shiftBeforeForming(): Promise<ShiftParams> {
    return this.knownNow()?.shift ?? this.shift();
  }

  /** The FN's phase (30h; fn-protocol Table 6), by name in PHASE. */
  async phase(): Promise<number> {
    return (await this.status()).phase;
  }

  async shift(): Promise<ShiftParams> {
    const shift = (await this.driver.execute(FN.getShiftParams, {})).value;
    this.remember({ shift });
    return shift;
  }

  /** The FFD the FN was registered for; undefined before registration. */
  async ffdInUse(): Promise<FfdVersion | undefined> {
    return FFD_IN_USE[(await this.driver.execute(FN.getFormat, {})).value.ffdInUse];
  }

  async format(): Promise<ResponseOf<typeof FN.getFormat>> {
    return (await this.driver.execute(FN.getFormat, {})).value;
  }

  async validity(): Promise<ResponseOf<typeof FN.getValidity>> {
    return (await this.driver.execute(FN.getValidity, {})).value;
  }

  async freeResources(): Promise<ResponseOf<typeof FN.getFreeResources>> {
    return (await this.driver.execute(FN.getFreeResources, {})).value;
  }

  async firmwareVersion(): Promise<ResponseOf<typeof FN.getFirmwareVersion>> {
    return (await this.driver.execute(FN.getFirmwareVersion, {})).value;
  }

  /** FDs the OFD has not confirmed yet (42h). */
  async unconfirmedCount(): Promise<number> {
    return (await this.driver.execute(FN.getUnconfirmedCount, {})).value.count;
  }

  // ---- documents (fn-protocol §4.3–4.6)
  /** Cancels the document between its start and form commands (06h). */
  async cancelDocument(): Promise<void> {
    this.forget();
    try {
      await this.driver.execute(FN.cancelDocument, {});
    } finally {
      this.forget();
    }
  }

  /** True when `status` shows a document started and not formed. */
  static hasOpenDocument(status: Pick<FnStatus, 'document'>): boolean {
    return status.document !== OPEN_DOCUMENT.none;
  }

  // ---- the FN's life (fn-protocol §4.4, §4.5)
  /** Registration report (type 0): phase 1 → fiscal. */
  register(r: RegistrationRequest): Promise<Fiscalized> {
    return this.forms(registerFn(this.driver, r));
  }

  /** Re-registration report (type 1 on a new FN after a replacement, 2 otherwise) with its reasons. */
  reregister(r: RegistrationRequest, change: RegistrationChange): Promise<Fiscalized> {
    return this.forms(registerFn(this.driver, r, change));
  }

  /** Closes the fiscal archive: fiscal → post-fiscal (documents may still go to the OFD). */
  closeArchive(ffd: FfdVersion, at: number, rnm: string, tlv: readonly TlvNode[]): Promise<Fiscalized> {
    return this.forms(closeFiscalArchive(this.driver, ffd, at, rnm, tlv));
  }

  openShift(ffd: FfdVersion, at: number, tlv: readonly TlvNode[]): Promise<ShiftResult> {
    return this.forms(openShift(this.driver, ffd, at, tlv));
  }

  closeShift(ffd: FfdVersion, at: number, tlv: readonly TlvNode[]): Promise<ShiftResult> {
    return this.forms(closeShift(this.driver, ffd, at, tlv));
  }

  /** A receipt or a correction receipt, by the document's FD type. */
  async formReceipt(ffd: FfdVersion, at: number, doc: BuiltDocument): Promise<ReceiptResult> {
    const before = this.knownNow();
    const r = await this.forms(formReceipt(this.driver, ffd, at, doc));
    // Known before forming, and every command answered since: carry it over this receipt.
    // The FN keeps a document's date and time as its DATE_TIME field holds it (fn-protocol
    // §5.5, Table 190: to the minute).
    if (before?.status && before.troubles === this.driver.troubles) {
      this.known = {
        troubles: before.troubles,
        status: { ...before.status, document: OPEN_DOCUMENT.none, lastFd: r.fd, lastDocumentTime: asFnDateTime(at) },
        ...(before.shift ? { shift: { ...before.shift, receiptNumber: r.receiptNumber } } : {}),
      };
    }
    return r;
  }

  formStateReport(ffd: FfdVersion, at: number, tlv: readonly TlvNode[]): Promise<StateReportResult> {
    return this.forms(formStateReport(this.driver, ffd, at, tlv));
  }

  // ---- archive (fn-protocol §4.8)
  /** The fixed struct of FD `fd` (40h), decoded by its type. */
  async findDocument(fd: number, ffd: FfdVersion): Promise<ArchiveSummary> {
    const { value } = await this.driver.execute(FN.findDocument, { fd });
    return decodeArchiveSummary(value.docType, ffd, value.data);
  }

  /** The whole document as TLV (45h/46h). */
  readDocument(fd: number): Promise<ArchivedTlv> {
    return readArchivedTlv(this.driver, fd);
  }

  // ---- OFD exchange steps (fn-protocol §4.7)
  /** 20h; undefined in a phase that does not talk to the OFD (02h). */
  async ofdStatus(): Promise<OfdExchangeStatus | undefined> {
    try {
      return (await this.driver.execute(FN.getOfdStatus, {})).value;
    } catch (e) {
      if (e instanceof FnError && e.fnCode === FN_CODE.WRONG_STATE) return undefined;
      throw e;
    }
  }

  static messageWaiting(status: OfdExchangeStatus): boolean {
    return (status.status & OFD_STATUS.messageWaiting) !== 0;
  }

  static transportOpen(status: OfdExchangeStatus): boolean {
    return (status.status & OFD_STATUS.transport) !== 0;
  }

  /** Tells the FN whether the OFD link is up (21h). */
  async setTransport(connected: boolean): Promise<void> {
    await this.driver.execute(FN.setTransportState, { connected: connected ? 1 : 0 });
  }

  /** The next message for the OFD (22h–25h); undefined when none waits. */
  readOfdMessage(blockSize?: number): Promise<Uint8Array | undefined> {
    return readOfdMessage(this.driver, blockSize);
  }

  /** Passes the OFD's receipt to the FN (26h); the OFD's own answer code comes back. */
  async passOfdReceipt(receipt: Uint8Array): Promise<{ readonly ofdCode: number }> {
    return (await this.driver.execute(FN.passOfdReceipt, { receipt })).value;
  }

  describe(): Record<string, unknown> {
    return this.driver.describe();
  }
}
