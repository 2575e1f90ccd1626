import { describe, expect, it } from 'vitest';
import { globMatch, MAX_GLOB_LENGTH, matchSuppression, parseSuppressions } from './suppressions.ts';

const entry = (over: Record<string, unknown> = {}) => ({
  check: 'EKS.ENDPOINT.1',
  resource: '*',
  reason: 'accepted for a reason',
  owner: 'platform-team',
  expires: '2099-12-31',
  ...over,
});

/** The glob semantics as they were defined by a regular expression, kept as the oracle for the matcher. */
function reference(glob: string, text: string): boolean {
  const body = glob
    .split('')
    .map((c) => (c === '*' ? '[\\s\\S]*' : c === '?' ? '[\\s\\S]' : c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`).test(text);
}

/** A small deterministic PRNG, so the property test is reproducible. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('globMatch', () => {
  it.each([
    ['EKS.LOGGING.*', 'EKS.LOGGING.1', true],
    ['EKS.LOGGING.*', 'EKS.LOGGINGX1', false],
    ['EKS.ENDPOINT.1', 'EKS.ENDPOINT.1', true],
    ['EKS.ENDPOINT.1', 'EKS.ENDPOINT.12', false],
    ['*', '', true],
    ['*', 'anything', true],
    ['?', '', false],
    ['?', 'x', true],
    ['arn:aws:eks:*:222222222222:cluster/sandbox-*', 'arn:aws:eks:eu-west-1:222222222222:cluster/sandbox-7', true],
    ['arn:aws:eks:*:222222222222:cluster/sandbox-*', 'arn:aws:eks:eu-west-1:333333333333:cluster/sandbox-7', false],
    ['*:cluster/prod', 'arn:aws:eks:us-east-1:1:cluster/prod', true],
    ['*:cluster/prod', 'arn:aws:eks:us-east-1:1:cluster/prod2', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'acb', false],
    ['a*a', 'a', false],
    ['(x)+[y]', '(x)+[y]', true],
    ['(x)+[y]', 'xxy', false],
    ['EKS.?CCESS.*', 'EKS.ACCESS.3', true],
    ['eks.access.3', 'EKS.ACCESS.3', false],
  ])('%s against %s: %s', (pattern, text, expected) => {
    expect(globMatch(pattern, text)).toBe(expected);
  });

  it('agrees with the regular-expression definition on 5,000 random patterns and texts', () => {
    const rand = prng(20261203);
    const pick = (alphabet: string, max: number) =>
      Array.from({ length: Math.floor(rand() * (max + 1)) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join(
        '',
      );
    for (let i = 0; i < 5000; i++) {
      const pattern = pick('ab*?.', 8);
      const text = pick('ab.', 10);
      expect(globMatch(pattern, text), `${pattern} vs ${text}`).toBe(reference(pattern, text));
    }
  });

  it('answers a pathological pattern at once (no backtracking across stars)', () => {
    // `^.*a.*a.*a.*a.*a.*b$` took seconds on 100 characters as a regular expression.
    const started = performance.now();
    expect(globMatch(`${'*a'.repeat(5)}*b`, 'a'.repeat(100))).toBe(false);
    expect(globMatch(`${'*a'.repeat(500)}*b`, 'a'.repeat(200_000))).toBe(false);
    expect(globMatch(`${'*a?'.repeat(300)}*b`, 'a'.repeat(200_000))).toBe(false);
    expect(globMatch(`${'*a'.repeat(500)}*`, 'a'.repeat(200_000))).toBe(true);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('parseSuppressions: bounds', () => {
  it('refuses a resource glob longer than the limit, naming the entry and the limit, without echoing it', () => {
    const huge = `arn:${'*'.repeat(200_000)}`;
    const parse = () => parseSuppressions({ suppressions: [entry(), entry({ resource: huge })] });
    expect(parse).toThrow(`suppressions[1] (check EKS.ENDPOINT.1): resource: at most ${MAX_GLOB_LENGTH} characters`);
    expect(() => parse()).toThrow(expect.objectContaining({ message: expect.not.stringContaining('*'.repeat(2000)) }));
  });

  it('refuses a check glob longer than the limit without repeating it as the entry name', () => {
    const long = 'E'.repeat(5000);
    let message = '';
    try {
      parseSuppressions({ suppressions: [entry({ check: long })] });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain(`suppressions[0]: check: at most ${MAX_GLOB_LENGTH} characters`);
    expect(message.length).toBeLessThan(500);
  });

  it('accepts a glob of exactly the limit, and matches with it', () => {
    const resource = `${'x'.repeat(MAX_GLOB_LENGTH - 1)}*`;
    const [s] = parseSuppressions({ suppressions: [entry({ resource })] });
    const now = new Date('2026-06-01T00:00:00Z');
    expect(matchSuppression([s!], { checkId: 'EKS.ENDPOINT.1', resourceId: `${'x'.repeat(1023)}-tail` }, now)).toEqual(
      expect.objectContaining({ index: 0 }),
    );
  });

  it('refuses more than 10,000 entries', () => {
    const many = Array.from({ length: 10_001 }, () => entry());
    expect(() => parseSuppressions({ suppressions: many })).toThrow(/suppressions.*at most 10,000 entries/);
  });
});

describe('parseSuppressions: friendly messages', () => {
  const checkIds = ['EKS.ENDPOINT.1', 'EKS.ENDPOINT.2', 'EKS.LOGGING.1', 'EKS.LOGGING.2', 'AKS.ACCESS.1'];
  const message = (entries: unknown[], options = { checkIds }): string => {
    try {
      parseSuppressions({ suppressions: entries }, 'suppressions file', options);
    } catch (e) {
      return (e as Error).message;
    }
    return expect.unreachable('should have thrown');
  };

  it('refuses a check id the catalogue does not have, with the closest one', () => {
    expect(message([entry(), entry({ check: 'EKS.LOGGNG.1' })])).toContain(
      'suppressions[1]: check: unknown check id EKS.LOGGNG.1 (did you mean EKS.LOGGING.1?)',
    );
    expect(message([entry({ check: 'eks.endpoint.2' })])).toContain('(did you mean EKS.ENDPOINT.2?)');
    expect(message([entry({ check: 'GKE.NOTHING.9' })])).toMatch(
      /unknown check id GKE\.NOTHING\.9; `kubeposture checks`/,
    );
  });

  it('refuses a glob that matches no check, suggesting the corrected glob', () => {
    expect(message([entry({ check: 'EKS.LOGGNG.*' })])).toContain(
      'check: EKS.LOGGNG.* matches no check in the catalogue (did you mean EKS.LOGGING.*?)',
    );
    expect(message([entry({ check: 'GKE.*' })])).toContain('GKE.* matches no check in the catalogue');
  });

  it('accepts ids and globs that name checks, and any id when no catalogue is given', () => {
    for (const check of ['EKS.LOGGING.1', 'EKS.LOGGING.*', '*', 'AKS.ACCESS.?', 'EKS.*']) {
      expect(parseSuppressions({ suppressions: [entry({ check })] }, 'f', { checkIds })).toHaveLength(1);
    }
    expect(parseSuppressions({ suppressions: [entry({ check: 'EKS.LOGGNG.1' })] })).toHaveLength(1);
  });

  it('does not echo a long unknown check id', () => {
    const text = message([entry({ check: `EKS.${'X'.repeat(500)}` })]);
    expect(text).toContain('suppressions[0]: check: no check in the catalogue has this id');
    expect(text.length).toBeLessThan(300);
  });

  it('says a missing field is required and what it holds', () => {
    const { expires: _e, ...noExpiry } = entry();
    const text = message([noExpiry]);
    expect(text).toContain(
      'suppressions[0] (check EKS.ENDPOINT.1): expires: required (a date like 2026-12-31; every suppression expires)',
    );
    expect(text).not.toContain('received undefined');
    const { owner: _o, ...noOwner } = entry();
    expect(message([noOwner])).toContain('owner: required (who accepted the risk)');
  });

  it('suggests the field for a misspelt key', () => {
    const { expires, ...rest } = entry();
    expect(message([{ ...rest, expire: expires }])).toContain('unknown key "expire" (did you mean expires?)');
  });

  it('names the expected type of a wrong value', () => {
    expect(message([entry({ expires: 20261231 })])).toContain('expires: expected a string, got a number');
    expect(() => parseSuppressions({ suppressions: { check: 'x' } })).toThrow(/expected a list, got a mapping/);
  });
});
