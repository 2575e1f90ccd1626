/**
 * CIDR parsing and coverage, for allow-lists such as EKS `publicAccessCidrs`.
 * Pure and dependency-free: addresses are BigInts, so IPv4 and IPv6 share one code path.
 */

export type IpFamily = 4 | 6;

export interface Cidr {
  /** The value as written (trimmed). */
  text: string;
  family: IpFamily;
  /** Prefix length: 0..32 (IPv4) or 0..128 (IPv6). A bare address counts as a host route. */
  prefix: number;
  /** First address of the block (host bits cleared). */
  first: bigint;
  /** Last address of the block. */
  last: bigint;
}

const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const octet = Number(p);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseGroups(text: string): bigint[] | undefined {
  if (text === '') return [];
  const groups: bigint[] = [];
  const parts = text.split(':');
  for (const [i, p] of parts.entries()) {
    if (i === parts.length - 1 && p.includes('.')) {
      // Embedded IPv4 (`::ffff:192.0.2.1`) counts as the last two groups.
      const v4 = parseIpv4(p);
      if (v4 === undefined) return undefined;
      groups.push(v4 >> 16n, v4 & 0xffffn);
    } else {
      if (!/^[0-9a-f]{1,4}$/i.test(p)) return undefined;
      groups.push(BigInt(`0x${p}`));
    }
  }
  return groups;
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0] ?? '');
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? '') : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<bigint>(Math.max(missing, 0)).fill(0n), ...tail];
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** Parses `203.0.113.0/24`, `::/0`, `0::/0`, `2001:db8::/32`, `192.0.2.7`; undefined when it is not a CIDR. */
export function parseCidr(raw: string): Cidr | undefined {
  const text = raw.trim();
  const slash = text.indexOf('/');
  const addr = slash === -1 ? text : text.slice(0, slash);
  const prefixText = slash === -1 ? undefined : text.slice(slash + 1);
  const family: IpFamily = addr.includes(':') ? 6 : 4;
  const value = family === 4 ? parseIpv4(addr) : parseIpv6(addr);
  if (value === undefined) return undefined;
  const bits = BITS[family];
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefix > bits) return undefined;
  const hostBits = BigInt(bits - prefix);
  const first = (value >> hostBits) << hostBits;
  const last = first + (1n << hostBits) - 1n;
  return { text, family, prefix, first, last };
}

/** True when the blocks of one family, together, cover every address of that family (e.g. `0.0.0.0/1` + `128.0.0.0/1`). */
export function coversWholeFamily(cidrs: readonly Cidr[], family: IpFamily): boolean {
  const blocks = cidrs
    .filter((c) => c.family === family)
    .sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  let next = 0n;
  for (const b of blocks) {
    if (b.first > next) return false;
    if (b.last + 1n > next) next = b.last + 1n;
  }
  return next === 1n << BigInt(BITS[family]);
}

export interface WorldOpenAnalysis {
  /** Entries that alone allow every address of their family: prefix length 0, however spelled. */
  prefixZero: string[];
  /** Families whose whole address space the list covers, by one /0 or by several blocks together. */
  familiesCovered: IpFamily[];
  /** Entries that are not CIDRs: their reach is unknown. */
  unparsed: string[];
  parsed: Cidr[];
}

export function analyzeAllowList(values: readonly string[]): WorldOpenAnalysis {
  const parsed: Cidr[] = [];
  const unparsed: string[] = [];
  for (const v of values) {
    const c = parseCidr(v);
    if (c) parsed.push(c);
    else unparsed.push(v);
  }
  return {
    prefixZero: parsed.filter((c) => c.prefix === 0).map((c) => c.text),
    familiesCovered: ([4, 6] as const).filter((f) => coversWholeFamily(parsed, f)),
    unparsed,
    parsed,
  };
}
