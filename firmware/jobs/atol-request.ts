/**
 * A whole ATOL Online request body under `atol_request`, with `atol_version` 4 or 5 (issue
 * 11 §2): `external_id`, `receipt` or `correction`, `service.callback_url`, `timestamp`.
 * The operation (sell, sell_refund, …) is the job's `type`, as it is ATOL's URL.
 *
 * v5 bodies are the contract's own `receipt` / `correction` form. v4 bodies (FFD 1.05 era;
 * ATOL Online API v4, the form Business.Ru's SDK documents) differ in the items:
 * `measurement_unit` is the printed unit text (tag 1197) instead of the 2108 `measure` code,
 * and the rates `vat18` / `vat118` of before 2019 exist. `agent_info` / `supplier_info` have
 * the same shape in v4 and v5 and pass as they are (job-agents.ts). Field names: ATOL Online API
 * v4 / v5 documentation, as the public SDKs it-quasar/atol-online (Item, ItemV5) and
 * lamoda/atol-client send them.
 */
import type { Problem, ValidationContext } from './job.ts';
import type { Echo, Translated } from './job-form-kit.ts';
import { objectAt } from './job-form-kit.ts';
import { measureAlias } from './measure-labels.ts';
import { MEASURES } from '../fiscal/receipt-codes.ts';

const AT = 'atol_request';
const BODY_KEYS = ['receipt', 'correction'] as const;
const KNOWN = new Set(['external_id', 'receipt', 'correction', 'service', 'timestamp']);
/** v4 rates abolished on 2019-01-01: refused, never turned into 20 % silently (fiscal-spec §7). */
const OLD_VAT: Readonly<Record<string, string>> = { vat18: 'vat20', vat118: 'vat120' };

export function fromAtolRequest(job: Record<string, unknown>, _ctx: ValidationContext, problems: Problem[]): Translated {
  const { atol_request: raw, atol_version: version, ...envelope } = job;
  const out: Record<string, unknown> = { ...envelope };
  const renames: [string, string][] = [];
  const req = objectAt(raw);
  if (version !== 4 && version !== 5) problems.push({ path: 'atol_version', message: `must be 4 or 5 (the ATOL Online API version of atol_request), not ${JSON.stringify(version) ?? 'absent'}` });
  if (!req) {
    problems.push({ path: AT, message: 'must be the ATOL Online request body (external_id, receipt or correction, service, timestamp)' });
    return { value: out, renames, complete: false };
  }
  if (version !== 4 && version !== 5) return { value: out, renames, complete: false }; // the body cannot be read without its version
  for (const k of Object.keys(req)) if (!KNOWN.has(k)) problems.push({ path: `${AT}.${k}`, message: 'is not a field of an ATOL Online request body' });
  for (const k of ['receipt', 'correction', 'order_bundle']) if (envelope[k] !== undefined) problems.push({ path: k, message: `give either ${AT} or ${k}, not both` });

  // external_id is the job id; the envelope may repeat it, never contradict it.
  const externalId = req['external_id'];
  if (typeof externalId !== 'string' || externalId.length === 0) problems.push({ path: `${AT}.external_id`, message: 'is required: the id of the receipt in the cloud (the job id)' });
  else if (envelope['id'] === undefined) out['id'] = externalId;
  else if (envelope['id'] !== externalId) problems.push({ path: `${AT}.external_id`, message: `differs from the job id ${JSON.stringify(envelope['id'])}; give one id` });
  if (typeof req['timestamp'] === 'string' && envelope['timestamp'] === undefined) out['timestamp'] = req['timestamp'];

  const echo: { -readonly [K in keyof Echo]: Echo[K] } = {};
  if (typeof externalId === 'string') echo.external_id = externalId;
  const service = req['service'];
  if (service !== undefined) {
    const s = objectAt(service);
    const url = s?.['callback_url'];
    if (!s || Object.keys(s).some((k) => k !== 'callback_url')) problems.push({ path: `${AT}.service`, message: 'has one field, callback_url' });
    if (url !== undefined && (typeof url !== 'string' || url.length > 256)) problems.push({ path: `${AT}.service.callback_url`, message: 'must be a URL of at most 256 characters' });
    else if (typeof url === 'string') echo.callback_url = url;
  }

  let complete = true;
  for (const key of BODY_KEYS) {
    const body = objectAt(req[key]);
    if (!body) {
      if (req[key] !== undefined) problems.push({ path: `${AT}.${key}`, message: 'must be an object' });
      continue;
    }
    if (version === 4 && key === 'correction' && body['items'] === undefined) {
      // ATOL v4 corrections (FFD 1.05) carry totals only; the register forms a correction
      // from its items (FFD 1.2 needs them, and 1.05 totals are computed from them).
      problems.push({ path: `${AT}.correction.items`, message: 'an ATOL v4 correction has no items; this register forms a correction from its items: send it with items (ATOL v5 form)' });
      complete = false;
      continue;
    }
    out[key] = version === 4 ? fromV4(body, key, renames, problems) : body;
    renames.push([key, `${AT}.${key}`]);
  }
  if (!BODY_KEYS.some((k) => req[k] !== undefined)) problems.push({ path: `${AT}.receipt`, message: 'is required (or correction)' });
  return { value: out, renames, echo, complete };
}

/** ATOL v4 receipt or correction → the v5 shape. */
function fromV4(body: Record<string, unknown>, key: string, renames: [string, string][], problems: Problem[]): Record<string, unknown> {
  const at = `${AT}.${key}`;
  const out = { ...body };
  const items = body['items'];
  if (Array.isArray(items)) {
    out['items'] = items.map((raw, i) => {
      const it = objectAt(raw);
      if (!it) return raw;
      const item = { ...it };
      const path = `${at}.items[${i}]`;
      if (it['measure'] !== undefined) problems.push({ path: `${path}.measure`, message: 'is ATOL v5; ATOL v4 names the unit measurement_unit' });
      const unit = it['measurement_unit'];
      delete item['measurement_unit'];
      item['measure'] = unit === undefined ? 'piece' : typeof unit === 'string' ? measureOf(unit) : unit;
      renames.push([`${key}.items[${i}].measure`, `${path}.measurement_unit`]);
      const vat = objectAt(it['vat']);
      const type = vat?.['type'];
      if (typeof type === 'string' && OLD_VAT[type]) {
        problems.push({ path: `${path}.vat.type`, message: `"${type}" (18 %) ended on 2019-01-01; send "${OLD_VAT[type]}"` });
      }
      return item;
    });
  }
  return out;
}

/** A v4 unit text ("шт", "кг", "усл") → the MEASURES id; an unknown text stays, and is refused with the list. */
function measureOf(unit: string): string {
  const alias = measureAlias(unit);
  if (alias) return alias;
  const wanted = unit.trim().toLowerCase();
  return MEASURES.find((m) => m.label.toLowerCase() === wanted)?.id ?? unit;
}
