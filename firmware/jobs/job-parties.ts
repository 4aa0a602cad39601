/**
 * The people and texts of a job: the seller (must match the registration), the cashier,
 * the buyer, and every string checked as the FN will store it — CP866 bytes within the
 * tag's maximum length (fiscal-spec §2.1, §2.3; tag-table.ts), INN check digits
 * (fiscal-spec §2.5), phone and e-mail shapes. Pure; problems are pushed with their paths.
 */
import { cp866ByteLength, unencodableInCp866 } from '../fiscal/cp866.ts';
import type { Buyer, Cashier, Seller } from '../fiscal/receipt.ts';
import { isValidInn } from '../fiscal/registration-numbers.ts';
import { maxLengthFor, tagDef } from '../fiscal/tag-table.ts';
import type { Problem, ValidationContext } from './job.ts';

/** The FFD tag each text of a job becomes: its maximum length comes from the tag table. */
export const TEXT_TAGS = {
  itemName: 1030,
  cashier: 1021,
  buyerContact: 1008,
  buyerName: 1227,
  senderEmail: 1117,
  settlementAddress: 1009,
  correctionNumber: 1179,
  correctionName: 1177,
} as const;

/** True when the text fits: CP866 can carry every character and the bytes fit the tag. */
export function checkText(text: string, tag: number, ctx: Pick<ValidationContext, 'ffd'>, path: string, problems: Problem[]): boolean {
  const bad = unencodableInCp866(text);
  if (bad.length > 0) {
    const list = bad.map((ch) => `"${ch}" (U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')})`).join(', ');
    problems.push({ path, message: `has characters CP866 cannot carry: ${list}` });
    return false;
  }
  const def = tagDef(tag);
  const max = def ? maxLengthFor(def, ctx.ffd) : Infinity;
  const bytes = cp866ByteLength(text);
  if (bytes > max) {
    problems.push({ path, message: `is ${bytes} bytes in CP866; tag ${tag} holds at most ${max}` });
    return false;
  }
  return true;
}

export function checkInn(inn: string, path: string, problems: Problem[], person = false): boolean {
  if (!isValidInn(inn)) {
    problems.push({ path, message: `INN ${inn} fails its check digits` });
    return false;
  }
  if (person && inn.length !== 12) {
    problems.push({ path, message: `a person's INN has 12 digits; ${inn} has ${inn.length}` });
    return false;
  }
  return true;
}

const RU_PHONE = /^\+7\d{10}$/;
const INTL_PHONE = /^\+[1-9]\d{6,14}$/; // E.164: at most 15 digits
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

export function checkPhone(phone: string, path: string, problems: Problem[]): boolean {
  const ok = phone.startsWith('+7') ? RU_PHONE.test(phone) : INTL_PHONE.test(phone);
  if (!ok) problems.push({ path, message: `phone "${phone}" must be +7 and 10 digits (or + country code and number, digits only)` });
  return ok;
}

export function checkEmail(email: string, path: string, problems: Problem[]): boolean {
  const ok = EMAIL.test(email);
  if (!ok) problems.push({ path, message: `"${email}" is not an e-mail address` });
  return ok;
}

/**
 * The seller the job names must be the one the register is registered to (issue 3 §2):
 * user INN 1018, and the settlement address 1009 or place 1187. The register's own
 * registration data then fills the document; only the sender e-mail may come from the job.
 */
export function sellerOf(
  company: { readonly inn: string; readonly payment_address: string; readonly email?: string },
  path: string,
  ctx: ValidationContext,
  problems: Problem[],
): Seller {
  if (checkInn(company.inn, `${path}.inn`, problems) && company.inn !== ctx.inn) {
    problems.push({ path: `${path}.inn`, message: `${company.inn} is not the INN this register is registered to (${ctx.inn})` });
  }
  const places = [ctx.address, ...(ctx.place !== undefined ? [ctx.place] : [])];
  if (!places.includes(company.payment_address)) {
    problems.push({ path: `${path}.payment_address`, message: `must be the registered settlement address or place: ${places.map((p) => JSON.stringify(p)).join(' or ')}` });
  }
  if (company.email !== undefined && checkEmail(company.email, `${path}.email`, problems)) checkText(company.email, TEXT_TAGS.senderEmail, ctx, `${path}.email`, problems);
  const email = company.email ?? ctx.seller.email;
  return {
    ...(ctx.seller.name !== undefined ? { name: ctx.seller.name } : {}),
    address: ctx.address,
    ...(ctx.place !== undefined ? { place: ctx.place } : {}),
    ...(email !== undefined ? { email } : {}),
    ...(ctx.seller.fnsSite !== undefined ? { fnsSite: ctx.seller.fnsSite } : {}),
  };
}

/** A value that may come from two places (inside the receipt, or at the job's top level): equal if both. */
export interface Sourced<T> {
  readonly value: T | undefined;
  readonly path: string;
}

export function sameIfBoth<T>(inner: Sourced<T>, outer: Sourced<T>, problems: Problem[]): Sourced<T> {
  if (inner.value !== undefined && outer.value !== undefined && inner.value !== outer.value) {
    problems.push({ path: outer.path, message: `differs from ${inner.path}; give it once` });
  }
  return inner.value !== undefined ? inner : outer;
}

/** Cashier 1021 / 1203 from the job, else the register's default cashier. */
export function cashierOf(name: Sourced<string>, inn: Sourced<string>, ctx: ValidationContext, problems: Problem[]): Cashier | undefined {
  if (name.value === undefined) {
    if (inn.value !== undefined) problems.push({ path: inn.path, message: 'a cashier INN needs the cashier name too' });
    return ctx.defaultCashier;
  }
  checkText(name.value, TEXT_TAGS.cashier, ctx, name.path, problems);
  if (inn.value !== undefined) checkInn(inn.value, inn.path, problems, true);
  return { name: name.value, ...(inn.value !== undefined ? { inn: inn.value } : {}) };
}

export interface BuyerSource {
  readonly email?: Sourced<string>;
  readonly phone?: Sourced<string>;
  readonly name?: Sourced<string>;
  readonly inn?: Sourced<string>;
}

/**
 * The buyer (1008 contact, 1227 name, 1228 INN). With both e-mail and phone the e-mail is
 * the contact, as ATOL Online does. An electronic receipt (internet: true) must have one.
 */
export function buyerOf(src: BuyerSource, electronic: boolean, contactPath: string, ctx: ValidationContext, problems: Problem[]): Buyer | undefined {
  const email = src.email?.value;
  const phone = src.phone?.value;
  if (email !== undefined && src.email && checkEmail(email, src.email.path, problems)) checkText(email, TEXT_TAGS.buyerContact, ctx, src.email.path, problems);
  if (phone !== undefined && src.phone) checkPhone(phone, src.phone.path, problems);
  const contact = email ?? phone;
  if (electronic && contact === undefined) {
    problems.push({ path: contactPath, message: 'an electronic receipt (internet: true) needs a buyer e-mail or phone' });
  }
  const name = src.name?.value;
  if (name !== undefined && src.name) checkText(name, TEXT_TAGS.buyerName, ctx, src.name.path, problems);
  const inn = src.inn?.value;
  if (inn !== undefined && src.inn) checkInn(inn, src.inn.path, problems);
  if (contact === undefined && name === undefined && inn === undefined) return undefined;
  return { ...(contact !== undefined ? { contact } : {}), ...(name !== undefined ? { name } : {}), ...(inn !== undefined ? { inn } : {}) };
}
