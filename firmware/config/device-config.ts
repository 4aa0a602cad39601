/**
 * The parsed device configuration: every default filled in, every key typed with its unit.
 * The schema is device-config/device-config.schema.json; the documentation of every key
 * is device-config/README.md.
 */
import type { LogLevel } from '../core/log.ts';
import type { FfdVersion } from '../fiscal/ffd-version.ts';
import type { TaxSystem } from '../fiscal/receipt-codes.ts';

export type FnConfig =
  | { readonly kind: 'emulator'; readonly fnNumber: string; readonly secret: string; readonly checkTimer: boolean }
  | { readonly kind: 'serial'; readonly path: string; readonly baudRate: number; readonly timeoutMs: number; readonly longTimeoutMs: number; readonly enqRetries: number };

export type PrinterConfig =
  | { readonly kind: 'none' }
  | { readonly kind: 'console' }
  | { readonly kind: 'file'; readonly dir: string }
  | { readonly kind: 'emulator'; readonly dir: string; readonly columns: number }
  | { readonly kind: 'serial'; readonly path: string; readonly baudRate: number; readonly columns: number };

/** The technician's debug console (firmware/console/). */
export type ConsoleConfig =
  | { readonly kind: 'none' }
  | { readonly kind: 'serial'; readonly path: string; readonly baudRate: number }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number };

/** The local job API for retail programs (firmware/local-api/README.md, issue 13 §1). */
export interface LocalApiConfig {
  readonly enabled: boolean;
  readonly host: string;
  readonly port: number;
  /** Required from clients beyond loopback (Bearer, or basic auth with it as password). */
  readonly token?: string;
}

export type OfdConfig = { readonly kind: 'emulator'; readonly port: number; readonly documentsDir: string } | { readonly kind: 'tcp'; readonly host: string; readonly port: number };

export interface OfdLinkConfig {
  /** Session header P-versions, hex of the two bytes ("0105"). */
  readonly pVersion105: string;
  readonly pVersion12: string;
  readonly connectTimeoutMs: number;
  readonly sendTimeoutMs: number;
  readonly receiveTimeoutMs: number;
  readonly backoffMinMs: number;
  readonly backoffMaxMs: number;
  readonly idleCheckMs: number;
}

export type BrokerConfig =
  | { readonly kind: 'embedded'; readonly host: string; readonly port: number }
  | {
      readonly kind: 'external';
      readonly url: string;
      readonly username?: string;
      readonly password?: string;
      readonly caFile?: string;
      /** TLS client certificate and its key (issue 12 §4). */
      readonly certFile?: string;
      readonly keyFile?: string;
      readonly rejectUnauthorized: boolean;
    };

export interface MqttConfig {
  readonly broker: BrokerConfig;
  readonly clientId: string;
  readonly protocolVersion: 4 | 5;
  readonly keepaliveSeconds: number;
  readonly sessionExpirySeconds: number;
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  /** With {deviceId} already replaced. */
  readonly topicPrefix: string;
}

export interface RegistrationConfig {
  readonly ffd: FfdVersion;
  readonly inn: string;
  readonly rnm: string;
  readonly kktSerial: string;
  readonly userName?: string;
  readonly address: string;
  readonly place?: string;
  readonly taxSystems: readonly TaxSystem[];
  readonly ofdInn: string;
  readonly ofdName?: string;
  readonly fnsSite: string;
  readonly senderEmail?: string;
  readonly internet: boolean;
  readonly autoRegister: boolean;
}

/** Who may command the register (issue 12 §4). */
export interface SecurityConfig {
  readonly cloudPublicKey?: string;
  readonly requireSignedJobs: boolean;
  readonly commandMaxWindowMs: number;
  readonly clockSkewMs: number;
  readonly technicianPin?: string;
  readonly pinMaxFailures: number;
  readonly pinLockMs: number;
}

/** Firmware updates over MQTT (issue 14 §2): device-config/README.md "update". */
export interface UpdateConfig {
  /** Where deploy/install.sh put slots/a, slots/b and the `current` link. */
  readonly programDir: string;
  /** The largest release package accepted, bytes. */
  readonly maxBytes: number;
  /** How long one chunk may take to arrive. */
  readonly chunkTimeoutMs: number;
  /** Requests per chunk before the transfer fails. */
  readonly chunkTries: number;
  /** How long a new version has, from its start, to prove itself healthy. */
  readonly trialDeadlineMs: number;
  /** Starts of a new version the boot guard allows before it rolls back. */
  readonly maxStarts: number;
  /** How often a staged update looks for a safe moment to switch. */
  readonly switchCheckMs: number;
}

/** Factory config only: how a fresh register claims its identity (issue 12 §1). */
export interface ClaimConfig {
  readonly url: string;
  readonly kktSerial: string;
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly username?: string;
  readonly password?: string;
  readonly topicPrefix: string;
  readonly timeoutMs: number;
  readonly retryMs: number;
  /** MQTT 3.1.1 (4) or 5; the embedded broker (aedes) speaks only 4. */
  readonly protocolVersion: 4 | 5;
}

export interface DeviceConfig {
  readonly version: 1;
  readonly deviceId: string;
  readonly timeZone: string;
  readonly dataDir: string;
  readonly fn: FnConfig;
  readonly printer: PrinterConfig;
  readonly console: ConsoleConfig;
  readonly localApi: LocalApiConfig;
  readonly ofd: OfdConfig;
  readonly ofdLink: OfdLinkConfig;
  readonly mqtt: MqttConfig;
  readonly registration: RegistrationConfig;
  readonly cashier: { readonly name: string; readonly inn?: string };
  readonly shift: { readonly closeAt: string | null; readonly maxOpenMinutes: number };
  readonly journal: { readonly segmentBytes: number; readonly compactAfterSegments: number; readonly keepDays: number };
  readonly limits: { readonly maxPayloadBytes: number };
  readonly log: { readonly level: LogLevel };
  readonly security: SecurityConfig;
  /** Firmware updates (firmware/update/update-wing.ts; keys in device-config/README.md). */
  readonly update: UpdateConfig;
  readonly claim?: ClaimConfig;
}
