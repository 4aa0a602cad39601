/**
 * What the technician can type at the debug console, one row per command (README.md here
 * lists them for people). Looking commands read; acting commands go through the job queue
 * like any job from the cloud — one queue, one FN — and answer with the job's result.
 */
import { FnError } from '../../drivers/fn/fn-error.ts';
import type { FnFace } from '../../drivers/fn/fn-face.ts';
import { NO_SUCH_DOCUMENT } from '../../drivers/fn/fn-response-codes.ts';
import { describeWarnings, phaseName } from '../../drivers/fn/fn-status-flags.ts';
import { atolDateTime } from '../core/local-time.ts';
import { ffdVersionFromCode } from '../fiscal/ffd-version.ts';
import { FD_TYPE } from '../fiscal/tag-table.ts';
import { decodeTlv } from '../fiscal/tlv-codec.ts';
import type { JobResult } from '../jobs/job-result.ts';
import type { JobLedger } from '../jobs/job-ledger.ts';
import type { DeviceStatus } from '../status/device-status.ts';
import { documentLines } from './document-lines.ts';

/** What the console reaches in the register (wired in app.ts). */
export interface ConsoleServices {
  readonly fn: FnFace;
  /** Runs FN work between the pipeline's documents (FiscalPipeline.exclusive). */
  readonly exclusive: <T>(work: () => Promise<T>) => Promise<T>;
  readonly ledger: JobLedger;
  status(): Promise<DeviceStatus>;
  /** Counters of every link and service (App.describe). */
  describe(): Record<string, unknown>;
  /**
   * Submits a job (the wire form of firmware/jobs/README.md) through the job intake and
   * resolves with its final result, or undefined when it is not final within the console's
   * patience (a copy waiting for paper): the job goes on, `job <id>` shows it later.
   */
  runJob(job: Record<string, unknown>): Promise<JobResult | undefined>;
  printerStatus(): Promise<string>;
  /** The last `n` log lines. */
  logTail(n: number): readonly string[];
  /** The device configuration, secrets masked. */
  config(): Record<string, unknown>;
  /** A wall-clock time (ms) as register-local "dd.mm.yyyy HH:MM:SS". */
  localTime(ms: number): string;
  /** A fresh job id for an acting command: `console-<type>-…`, never used before. */
  jobId(type: string): string;
  /** The emulated FN only: the technician's FN replacement (issue 12 §3); absent with a real FN. */
  replaceFn?(fnNumber: string): Promise<string>;
}

export interface ConsoleCommand {
  readonly name: string;
  readonly args: string;
  readonly summary: string;
  /** It makes the register do something (a document, a print): it needs the technician PIN (issue 12 §4). */
  readonly acting?: true;
  run(services: ConsoleServices, args: readonly string[]): Promise<string[]>;
}

/** A wrong argument: the console prints the message and the command's usage. */
export class ConsoleUsageError extends Error {}

const row = (label: string, value: string | number): string => `${label.padEnd(10)} ${value}`;
const ffdName = (code: number): string => ffdVersionFromCode(code) ?? `code ${code}`;

function positiveInt(text: string | undefined, what: string, fallback?: number): number {
  if (text === undefined && fallback !== undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new ConsoleUsageError(`${what} must be a whole number ≥ 1, got "${text ?? ''}"`);
  return n;
}

function statusLines(s: DeviceStatus): string[] {
  const lines = [row('device', `${s.device_id}  ${s.timestamp}`)];
  if (s.fn) lines.push(row('FN', `${s.fn.number}  ${phaseName(s.fn.phase)}  last FD ${s.fn.last_fd} at ${s.fn.last_document}`));
  if (s.fn && s.fn.warnings) lines.push(...describeWarnings(s.fn.warnings).map((w) => row('', `! ${w}`)));
  if (s.fn_error) lines.push(row('FN', `NOT ANSWERING: ${s.fn_error}`));
  if (s.shift) lines.push(row('shift', s.shift.open ? `${s.shift.number} open since ${s.shift.opened_at ?? '?'} (${s.shift.age_minutes ?? '?'} min)` : `${s.shift.number} closed`));
  if (s.ofd) {
    const oldest = s.ofd.oldest_fd !== undefined ? `, oldest FD ${s.ofd.oldest_fd} from ${s.ofd.oldest_at} (${s.ofd.days_left} days before the FN blocks)` : '';
    lines.push(row('OFD', `${s.ofd.unsent} unsent${oldest}  [${s.ofd.level}]`));
  }
  const j = s.jobs;
  lines.push(row('jobs', `done ${j['done'] ?? 0}, fail ${j['fail'] ?? 0}, not printed ${j['fiscalized_not_printed'] ?? 0}, in progress ${j['in_progress'] ?? 0}, queued ${j.queued}`));
  return lines;
}

function resultLines(r: JobResult): string[] {
  const lines = [row('result', `${r.status}${r.message ? `: ${r.message}` : ''}`)];
  if (r.payload) lines.push(row('FD', `${r.payload.fiscal_document_number}  FPD ${r.payload.fiscal_document_attribute}  shift ${r.payload.shift_number}  ${r.payload.receipt_datetime}`));
  if (r.error) lines.push(row('error', `${r.error.code}: ${r.error.text} (${r.error.recommendation})`));
  return lines;
}

/** A service job from the console, with an id that says where it came from, and its outcome. */
async function runServiceJob(s: ConsoleServices, type: string, extra: Record<string, unknown> = {}): Promise<string[]> {
  const id = s.jobId(type);
  const result = await s.runJob({ version: 1, id, type, ...extra });
  return result ? resultLines(result) : [`${id}: not finished yet (waiting for the printer?): "job ${id}" shows it later`];
}

const acting = (name: string, type: string, summary: string): ConsoleCommand => ({
  name,
  args: '',
  summary,
  acting: true,
  run: (s) => runServiceJob(s, type),
});

export const CONSOLE_COMMANDS: readonly ConsoleCommand[] = [
  {
    name: 'help',
    args: '[command]',
    summary: 'this list, or one command',
    run: async (_s, [name]) => {
      const pick = name === undefined ? CONSOLE_COMMANDS : CONSOLE_COMMANDS.filter((c) => c.name === name);
      if (pick.length === 0) throw new ConsoleUsageError(`no command "${name}"`);
      return pick.map((c) => `${`${c.name} ${c.args}`.padEnd(22)} ${c.summary}`);
    },
  },
  {
    name: 'status',
    args: '[--json]',
    summary: 'FN, shift, OFD backlog, jobs (--json: as on the status topic)',
    run: async (s, args) => {
      const st = await s.status();
      return args.includes('--json') ? JSON.stringify(st, null, 2).split('\n') : statusLines(st);
    },
  },
  {
    name: 'fn',
    args: '',
    summary: 'the FN: number, phase, warnings, validity, FFD, resources, firmware',
    run: async (s) =>
      s.exclusive(async () => {
        const st = await s.fn.status();
        const lines = [
          row('number', st.fnNumber),
          row('phase', phaseName(st.phase)),
          row('shift', st.shiftOpen ? 'open' : 'closed'),
          row('last FD', `${st.lastFd} at ${atolDateTime(st.lastDocumentTime)}`),
          row('document', st.document ? `open (type 0x${st.document.toString(16)}), data ${st.documentData ? 'received' : 'none'}` : 'none open'),
          row('warnings', st.warnings ? describeWarnings(st.warnings).join('; ') : 'none'),
        ];
        // Each of these may be refused in some phases: say so and go on.
        const more: [string, () => Promise<string>][] = [
          ['valid', async () => { const v = await s.fn.validity(); return `until ${atolDateTime(v.validUntil).slice(0, 10)}, ${v.registrationsDone} registration(s), ${v.reregistrationsLeft} left`; }],
          ['FFD', async () => { const f = await s.fn.format(); return `in use ${ffdName(f.ffdInUse)}, up to ${ffdName(f.ffdMax)}`; }],
          ['resources', async () => { const r = await s.fn.freeResources(); return `${r.fdsLeft} FDs left, ${r.freeKb30Day} KB for 30 days`; }],
          ['unsent', async () => String(await s.fn.unconfirmedCount())],
          ['firmware', async () => { const v = await s.fn.firmwareVersion(); return `${v.version} (${v.serial ? 'serial' : 'debug'})`; }],
        ];
        for (const [label, read] of more) lines.push(row(label, await read().catch((e: unknown) => `— (${e instanceof Error ? e.message : String(e)})`)));
        return lines;
      }),
  },
  {
    name: 'fd',
    args: '<number>',
    summary: 'a fiscal document from the FN archive, tag by tag',
    run: async (s, [n]) => {
      const fd = positiveInt(n, 'the FD number');
      const doc = await s.exclusive(() => s.fn.readDocument(fd)).catch((e: unknown) => {
        throw e instanceof FnError && NO_SUCH_DOCUMENT.has(e.fnCode) ? new Error(`the FN archive has no FD ${fd}`) : e;
      });
      const type = Object.entries(FD_TYPE).find(([, code]) => code === doc.fdType)?.[0] ?? 'unknown';
      const inUse = await s.exclusive(() => s.fn.format()).then((f) => ffdVersionFromCode(f.ffdInUse), () => undefined);
      return [row('FD', `${fd}, document type ${doc.fdType} (${type}), ${doc.tlv.length} bytes`), ...documentLines(decodeTlv(doc.tlv), '', inUse)];
    },
  },
  {
    name: 'ofd',
    args: '',
    summary: 'the OFD backlog and the sender',
    run: async (s) => {
      const st = await s.status();
      const sender = s.describe()['ofd'];
      return [...(st.ofd ? JSON.stringify(st.ofd, null, 2).split('\n') : ['(the FN does not answer)']), ...JSON.stringify(sender, null, 2).split('\n')];
    },
  },
  {
    name: 'jobs',
    args: '[count]',
    summary: 'the last jobs (10 unless told), newest last',
    run: async (s, [n]) => {
      const count = positiveInt(n, 'the count', 10);
      const ids = s.ledger.ids().slice(-count);
      if (ids.length === 0) return ['no jobs yet'];
      return Promise.all(ids.map(async (id) => {
        const e = s.ledger.get(id);
        const result = e ? await s.ledger.resultOf(e) : undefined;
        // A finished job keeps only its result (job-ledger.ts): the FD and type are read from it.
        const fdNumber = e?.fiscal?.fd ?? result?.payload?.fiscal_document_number;
        const fd = fdNumber !== undefined ? `FD ${fdNumber}` : '';
        return `${s.localTime(e?.acceptedAt ?? 0)}  ${(e?.status ?? '?').padEnd(22)} ${fd.padEnd(9)} ${(e?.type ?? e?.job?.type ?? result?.type ?? '').padEnd(17)} ${id}`;
      }));
    },
  },
  {
    name: 'job',
    args: '<id>',
    summary: 'one job: its state and final result',
    run: async (s, [id]) => {
      if (!id) throw new ConsoleUsageError('which job? give its id');
      const e = s.ledger.get(id);
      if (!e) return [`no job "${id}"`];
      const result = await s.ledger.resultOf(e);
      return [
        row('status', e.status),
        row('type', e.type ?? e.job?.type ?? '(not known: an older journal kept only the result)'),
        ...(e.fiscal ? [row('FD', `${e.fiscal.fd}, FPD ${e.fiscal.fpd}`), row('printed', String(e.printed ?? false))] : []),
        ...(result ? JSON.stringify(result, null, 2).split('\n') : []),
      ];
    },
  },
  {
    name: 'printer',
    args: '',
    summary: 'the printer: status now and counters',
    run: async (s) => [row('status', await s.printerStatus()), row('counters', JSON.stringify(s.describe()['printer']))],
  },
  {
    name: 'links',
    args: '',
    summary: 'counters of MQTT, FN line, OFD, journal, intake, results',
    run: async (s) => JSON.stringify(s.describe(), null, 2).split('\n'),
  },
  {
    name: 'log',
    args: '[lines]',
    summary: 'the last log lines (20 unless told)',
    run: async (s, [n]) => [...s.logTail(positiveInt(n, 'the number of lines', 20))],
  },
  {
    name: 'config',
    args: '',
    summary: 'the configuration in use (secrets masked)',
    run: async (s) => JSON.stringify(s.config(), null, 2).split('\n'),
  },
  acting('x-report', 'x_report', 'print an X-report (no fiscal document)'),
  acting('open-shift', 'open_shift', 'open the shift'),
  acting('close-shift', 'close_shift', 'close the shift (prints the report)'),
  acting('state-report', 'state_report', 'form the settlement-state report'),
  acting('continue', 'continue_printing', 'print what waits for the printer'),
  {
    name: 'replace-fn',
    args: '<fn number>',
    summary: 'emulated FN: take out the FN (archive closed) and put in a new one',
    acting: true,
    run: async (s, [n]) => {
      if (!s.replaceFn) throw new ConsoleUsageError('the FN here is a real one: the technician swaps it by hand');
      if (n === undefined || !/^\d{16}$/.test(n)) throw new ConsoleUsageError('the new FN number is 16 digits');
      return [await s.replaceFn(n)];
    },
  },
  {
    name: 'copy',
    args: '[fd]',
    summary: 'print a copy of a document (the last one unless told)',
    acting: true,
    run: (s, [n]) => runServiceJob(s, 'print_copy', n === undefined ? {} : { fd: positiveInt(n, 'the FD number') }),
  },
];
