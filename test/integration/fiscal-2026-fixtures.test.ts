/**
 * Issue 10 §6: the 2026 fixture set (test/fixtures/fiscal-2026/) through the whole register,
 * in FFD 1.05 and 1.2: each job published to a real mosquitto, parsed, fiscalized by the FN
 * emulator, sent to the OFD emulator over TCP, printed by the file printer. Checked three
 * ways: the result (status, error, warnings), the document as the FN archive holds it and as
 * the OFD emulator decoded it (VAT totals, 1054, the 2025 tags), and the paper lines.
 * Every rate, each correction type, mixed old and new rates, zero-priced items, internet
 * and cashless details; the fixture's `about` says what each one proves.
 */
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FfdVersion } from '../../firmware/fiscal/ffd-version.ts';
import { decodeTlv, type TlvNode } from '../../firmware/fiscal/tlv-codec.ts';
import type { JobResult } from '../../firmware/jobs/job-result.ts';
import { FN_MANDATORY_TAGS } from '../../drivers/fn/emulator/fn-mandatory-tags.ts';
import { INTERNET_TAGS, REGISTER_TAGS, REGISTER_TAGS_OTHER } from '../../firmware/fiscal/register-tags.ts';
import { JOB_TYPES } from '../../firmware/jobs/job.ts';
import { mqttSuite } from '../helpers/mqtt-suite.ts';
import { pollUntil } from '../helpers/poll.ts';

const DIR = 'test/fixtures/fiscal-2026';

interface Expect {
  readonly status: 'done' | 'fail';
  readonly code?: string;
  readonly recommendation?: string;
  readonly problemAt?: string;
  readonly message?: string;
  readonly alsoAt?: readonly [string, string][];
  readonly warnings?: number;
  readonly sign?: number;
  readonly printed?: boolean;
  /** Totals: 1102–1107 by tag; "1115" as 1120 sums by 1199 code. */
  readonly totals?: Readonly<Record<string, number | Readonly<Record<string, number>>>>;
  readonly absent?: readonly number[];
  /** Other tags and their values; an object is an STLV whose listed tags are checked. */
  readonly tags?: Readonly<Record<string, unknown>>;
  readonly paper?: readonly [string, string][];
  readonly paperText?: readonly string[];
  readonly notOnPaper?: readonly string[];
}

interface Fixture {
  readonly name: string;
  readonly about: string;
  readonly job: Record<string, unknown> & { id: string };
  readonly expect: Expect;
  readonly 'expect_1.05'?: Expect;
}

const fixtures: Fixture[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({ name: f.replace(/\.json$/, ''), ...(JSON.parse(readFileSync(join(DIR, f), 'utf8')) as Omit<Fixture, 'name'>) }));

/** An STLV as a map of tag → value (first occurrence), nested STLVs as maps too. */
function asMap(nodes: readonly TlvNode[]): Map<number, unknown> {
  const m = new Map<number, unknown>();
  for (const n of nodes) if (!m.has(n.tag)) m.set(n.tag, Array.isArray(n.value) ? asMap(n.value as TlvNode[]) : n.value);
  return m;
}

/** The OFD emulator's JSON tags (toJson of ofd-emulator.ts) back to nodes. */
function fromJson(tags: unknown): TlvNode[] {
  return (tags as { tag: number; value: unknown }[]).map((t) => ({ tag: t.tag, value: Array.isArray(t.value) ? fromJson(t.value) : (t.value as TlvNode['value']) }));
}

function totals1115(doc: readonly TlvNode[]): Record<string, number> | undefined {
  const group = doc.find((n) => n.tag === 1115)?.value as TlvNode[] | undefined;
  if (!group) return undefined;
  const out: Record<string, number> = {};
  for (const e of group) {
    const m = asMap(e.value as TlvNode[]);
    out[String(m.get(1199))] = m.get(1120) as number;
  }
  return out;
}

function checkDocument(doc: readonly TlvNode[], e: Expect, where: string): void {
  const top = asMap(doc);
  if (e.sign !== undefined) assert.is(top.get(1054), e.sign, `${where}: 1054`);
  for (const [tag, want] of Object.entries(e.totals ?? {})) {
    if (tag === '1115') assert.equal(totals1115(doc), want, `${where}: 1115`);
    else assert.is(top.get(Number(tag)), want, `${where}: ${tag}`);
  }
  // Exactly the totals expected: no other VAT-total tag, none with value 0 except 1104 = 0 listed.
  for (const tag of [1102, 1103, 1104, 1105, 1106, 1107, 1115]) {
    if (!(String(tag) in (e.totals ?? {}))) assert.not.ok(top.has(tag), `${where}: no ${tag}`);
  }
  for (const tag of e.absent ?? []) assert.not.ok(top.has(tag), `${where}: no ${tag}`);
  const check = (want: Record<string, unknown>, have: Map<number, unknown> | undefined, path: string): void => {
    for (const [tag, value] of Object.entries(want)) {
      const got = have?.get(Number(tag));
      if (value !== null && typeof value === 'object') check(value as Record<string, unknown>, got as Map<number, unknown> | undefined, `${path}/${tag}`);
      else assert.is(got, value, `${where}: ${path}/${tag}`);
    }
  };
  check(e.tags ?? {}, top, '');
}

function checkPaper(text: string, e: Expect, where: string): void {
  const lines = text.split('\n').map((l) => l.trim());
  const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  for (const [label, value] of e.paper ?? []) {
    assert.ok(lines.some((l) => new RegExp(`^${escape(label)} +${escape(value)}$`).test(l)), `${where}: paper line "${label} … ${value}" in\n${text}`);
  }
  for (const t of e.paperText ?? []) assert.ok(lines.includes(t), `${where}: "${t}" on paper`);
  for (const label of e.notOnPaper ?? []) assert.not.ok(lines.some((l) => l.startsWith(label)), `${where}: no "${label}" line`);
  // No VAT total printed with value 0 (issue 10 §2).
  assert.not.ok(lines.some((l) => /^СУММА (НДС|БЕЗ НДС|С НДС)/.test(l) && /=0\.00$/.test(l)), `${where}: a zero VAT total on paper`);
}

function waitFor(path: string, timeoutMs = 15_000): Promise<void> {
  return pollUntil(() => existsSync(path), { timeoutMs, what: `${path} to appear` });
}

function checkResult(r: JobResult, e: Expect, where: string): void {
  assert.is(r.status, e.status, `${where}: ${JSON.stringify(r.error ?? r)}`);
  if (e.status === 'fail') {
    assert.is(r.error?.code, e.code, where);
    assert.is(r.error?.recommendation, e.recommendation, where);
    for (const [path, message] of [[e.problemAt ?? '', e.message ?? ''], ...(e.alsoAt ?? [])] as const) {
      assert.ok(r.error?.problems?.some((p) => p.path === path && new RegExp(message).test(p.message)), `${where}: problem at ${path} /${message}/ in ${JSON.stringify(r.error?.problems)}`);
    }
    return;
  }
  assert.is(r.warnings?.length ?? 0, e.warnings ?? 0, `${where}: warnings ${JSON.stringify(r.warnings)}`);
  if (e.printed === false) assert.is(r.printed, undefined, `${where}: electronic, not printed`);
}

for (const ffd of ['1.2', '1.05'] as const satisfies readonly FfdVersion[]) {
  const base = { ffd, inn: '7707083893', kktSerial: '00000000381001234567', userName: 'ООО "Ромашка"', address: 'г. Москва, ул. Льва Толстого, д. 16', place: 'shop.example.ru', taxSystems: ['osn', 'usn_income'], ofdInn: '7704211201', autoRegister: true };
  const it = mqttSuite(`2026 fixtures through the register, FFD ${ffd}`, { printer: { kind: 'file' }, ofd: { kind: 'emulator' }, registration: base });

  for (const f of fixtures) {
    it(`${f.name}: ${f.about}`, async (ctx) => {
      const e = (ffd === '1.05' ? f['expect_1.05'] : undefined) ?? f.expect;
      const id = `${f.job.id}-${ffd}`;
      await ctx.cloud!.publish(JSON.stringify({ ...f.job, id }));
      const result = await ctx.cloud!.final(id);
      const where = `${f.name} FFD ${ffd}`;
      checkResult(result, e, where);
      if (e.status !== 'done') return;
      const fd = result.payload?.fiscal_document_number ?? 0;
      const rig = ctx.rig!;
      // The FN archive.
      const archived = decodeTlv((await rig.app.pipeline.exclusive(() => rig.app.fn.readDocument(fd))).tlv);
      checkDocument(archived, e, `${where} FN archive`);
      // The OFD emulator, an independent decoder on the other end of TCP.
      const ofdFile = join(rig.dataDir, rig.config.ofd.kind === 'emulator' ? rig.config.ofd.documentsDir : '', `${result.payload?.fn_number}-${String(fd).padStart(8, '0')}.json`);
      await waitFor(ofdFile);
      const received = JSON.parse(readFileSync(ofdFile, 'utf8')) as { tags: unknown; vatTotals?: Record<string, unknown> };
      checkDocument(fromJson(received.tags), e, `${where} OFD`);
      const amounts = (received.vatTotals?.['amountsReceiptNds'] as { amountsNds: { nds: number; ndsSum: number }[] } | undefined)?.amountsNds;
      const want1115 = e.totals?.['1115'] as Record<string, number> | undefined;
      assert.equal(amounts?.map((a) => [String(a.nds), a.ndsSum]), want1115 ? Object.entries(want1115) : undefined, `${where}: the OFD's amountsReceiptNds`);
      // The paper (none for an electronic receipt).
      const paper = join(rig.dataDir, 'receipts', `fd-${String(fd).padStart(6, '0')}.txt`);
      if (e.printed === false) {
        assert.not.ok(existsSync(paper), `${where}: nothing printed`);
        return;
      }
      await waitFor(paper);
      const original = readFileSync(paper, 'utf8');
      checkPaper(original, e, where);
      // A copy rebuilt from the FN archive prints the same lines under КОПИЯ (issue 10 §4).
      const copyId = `copy-${id}`;
      await ctx.cloud!.publish(JSON.stringify({ version: 1, id: copyId, type: 'print_copy', fd }));
      assert.is((await ctx.cloud!.final(copyId)).status, 'done', `${where}: copy`);
      // The file printer names a document by its FD number: the copy takes the original's file.
      await pollUntil(() => readFileSync(paper, 'utf8').trimStart().startsWith('КОПИЯ'), { timeoutMs: 10_000, what: `${where}: the copy over ${paper}` });
      const copyLines = readFileSync(paper, 'utf8').split('\n');
      assert.is(copyLines[0]?.trim(), 'КОПИЯ', `${where}: copy heading`);
      assert.equal(copyLines.slice(1), original.split('\n'), `${where}: the copy prints the original's lines`);
    });
  }

  it('every job type ends; every document formed carries the tags the register must send and the FN must form', async (ctx) => {
    const rig = ctx.rig!;
    // The receipt and correction job types ran above; the service jobs now, in an order that works.
    const service = ['x_report', 'state_report', 'close_shift', 'open_shift', 'print_copy', 'continue_printing'] as const;
    for (const type of service) {
      const id = `svc-${type}-${ffd}`;
      await ctx.cloud!.publish(JSON.stringify({ version: 1, id, type }));
      const r = await ctx.cloud!.final(id);
      assert.is(r.status, 'done', `${type}: ${JSON.stringify(r.error)}`);
    }
    const ran = new Set([...fixtures.map((f) => f.job['type'] as string), ...service]);
    assert.equal(JOB_TYPES.filter((t) => !ran.has(t)), [], 'every job type of the contract ran');
    const last = Math.max(...[...ctx.cloud!.results.values()].flat().map((r) => r.payload?.fiscal_document_number ?? 0));
    const dir = join(rig.dataDir, rig.config.ofd.kind === 'emulator' ? rig.config.ofd.documentsDir : '');
    await pollUntil(() => readdirSync(dir).length >= last, { timeoutMs: 20_000, intervalMs: 100, what: () => `the OFD emulator to have ${last} FDs (has ${readdirSync(dir).length})` });
    const files = readdirSync(dir).sort();
    assert.is(files.length, last, 'the OFD emulator has every FD');
    const types = new Set<number>();
    for (const file of files) {
      const doc = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { fd: number; fdType: number; tags: unknown };
      const nodes = fromJson(doc.tags);
      const top = new Set(nodes.map((n) => n.tag));
      types.add(doc.fdType);
      const mine = REGISTER_TAGS[doc.fdType]?.[ffd] ?? REGISTER_TAGS_OTHER[doc.fdType]?.[ffd];
      const fns = FN_MANDATORY_TAGS[doc.fdType]?.[ffd];
      assert.ok(mine && fns, `FD ${doc.fd}: type ${doc.fdType} is in both tables`);
      const internet = top.has(1125) ? INTERNET_TAGS : [];
      for (const tag of [...(mine?.top ?? []), ...internet, ...(fns ?? [])]) assert.ok(top.has(tag), `FFD ${ffd} FD ${doc.fd} (type ${doc.fdType}) lacks ${tag}`);
      for (const item of nodes.filter((n) => n.tag === 1059)) {
        for (const tag of mine?.item ?? []) assert.ok((item.value as TlvNode[]).some((n) => n.tag === tag), `FFD ${ffd} FD ${doc.fd} item lacks ${tag}`);
      }
    }
    assert.equal([...types].sort((a, b) => a - b), [1, 2, 3, 5, 21, 31], 'registration, shifts, receipts, state report, corrections');
  });

  it.run();
}
