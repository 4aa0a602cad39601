/** Tags that several documents share: the seller's place of business and the cashier. */
import type { Cashier, Seller } from './receipt.ts';
import type { TlvNode } from './tlv-codec.ts';

export interface Problem {
  readonly path: string;
  readonly message: string;
}

/** 1048 user, 1009 address, 1187 place, 1117 sender e-mail, 1060 FNS site; absent ones left out. */
export function sellerTags(seller: Seller): TlvNode[] {
  const nodes: TlvNode[] = [];
  if (seller.name) nodes.push({ tag: 1048, value: seller.name });
  nodes.push({ tag: 1009, value: seller.address });
  if (seller.place) nodes.push({ tag: 1187, value: seller.place });
  if (seller.email) nodes.push({ tag: 1117, value: seller.email });
  if (seller.fnsSite) nodes.push({ tag: 1060, value: seller.fnsSite });
  return nodes;
}

/** 1021 cashier and 1203 cashier INN. */
export function personTags(cashier: Cashier | undefined): TlvNode[] {
  if (!cashier) return [];
  return [{ tag: 1021, value: cashier.name }, ...(cashier.inn ? [{ tag: 1203, value: cashier.inn }] : [])];
}
