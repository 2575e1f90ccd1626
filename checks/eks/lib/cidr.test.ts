import { describe, expect, it } from 'vitest';
import { analyzeAllowList, coversWholeFamily, parseCidr } from './cidr.ts';

describe('parseCidr', () => {
  it.each([
    ['0.0.0.0/0', 4, 0, 0n],
    ['203.0.113.77/24', 4, 24, 0xcb007100n],
    ['192.0.2.7', 4, 32, 0xc0000207n],
    ['::/0', 6, 0, 0n],
    ['0::/0', 6, 0, 0n],
    ['0:0:0:0:0:0:0:0/0', 6, 0, 0n],
    ['2001:DB8::/32', 6, 32, 0x20010db8n << 96n],
    ['::ffff:192.0.2.1/128', 6, 128, (0xffffn << 32n) | 0xc0000201n],
    ['1:2:3:4:5:6:7::/112', 6, 112, 0x0001000200030004000500060007_0000n],
    [' 10.0.0.0/8 ', 4, 8, 0x0a000000n],
  ] as const)('reads %s', (text, family, prefix, first) => {
    expect(parseCidr(text)).toMatchObject({ family, prefix, first });
  });

  it('clears host bits to find the block', () => {
    expect(parseCidr('10.1.2.3/8')).toMatchObject({ first: 0x0a000000n, last: 0x0affffffn });
  });

  it.each([
    'office-vpn',
    '',
    '10.0.0.256/8',
    '10.0.0/8',
    '10.0.0.0/33',
    '::/129',
    '10.0.0.0/',
    '10.0.0.0/-1',
    '1:2:3:4:5:6:7:8:9/64',
    '1::2::3/64',
    ':1::/64',
    '12345::/16',
    'fe80::1%eth0/64',
    '1:2:3:4:5:6:7/64',
  ])('rejects %j', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });
});

describe('coversWholeFamily', () => {
  const parse = (xs: string[]) => xs.map((x) => parseCidr(x)!);
  it.each([
    [['0.0.0.0/0'], 4, true],
    [['0.0.0.0/1', '128.0.0.0/1'], 4, true],
    [['128.0.0.0/1', '0.0.0.0/2', '64.0.0.0/2'], 4, true],
    [['0.0.0.0/1', '128.0.0.0/2'], 4, false],
    [['0.0.0.0/1', '0.0.0.0/1'], 4, false],
    [['::/0'], 4, false],
    [['::/1', '8000::/1'], 6, true],
    [['0.0.0.0/0'], 6, false],
    [[], 4, false],
  ] as const)('%j covers all of IPv%i: %s', (cidrs, family, expected) => {
    expect(coversWholeFamily(parse([...cidrs]), family)).toBe(expected);
  });
});

describe('analyzeAllowList', () => {
  it('separates world-open entries, covered families and unparsable values', () => {
    const a = analyzeAllowList(['203.0.113.0/24', '0::/0', 'not-a-cidr']);
    expect(a.prefixZero).toEqual(['0::/0']);
    expect(a.familiesCovered).toEqual([6]);
    expect(a.unparsed).toEqual(['not-a-cidr']);
  });
});
