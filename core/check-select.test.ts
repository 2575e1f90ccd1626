import { describe, expect, it } from 'vitest';
import { selectChecks } from './check-select.ts';
import { ConfigError } from './errors.ts';

const all = ['EKS.ENDPOINT.1', 'EKS.ENDPOINT.2', 'EKS.LOGGING.1', 'AKS.LOGGING.1', 'GKE.VERSIONS.1'].map((id) => ({
  id,
}));
const ids = (cs: { id: string }[]) => cs.map((c) => c.id);

describe('selectChecks', () => {
  it('runs every check when nothing is given', () => {
    expect(ids(selectChecks(all, undefined, []))).toEqual(ids(all));
  });

  it('keeps the checks an include glob matches, without case, minus every exclude', () => {
    const selected = selectChecks(all, { patterns: ['*.logging.*', 'eks.endpoint.?'], source: '--checks' }, [
      { patterns: ['EKS.ENDPOINT.2'], source: '--skip-checks' },
      { patterns: ['AKS.*'], source: 'checks.disabled' },
    ]);
    expect(ids(selected)).toEqual(['EKS.ENDPOINT.1', 'EKS.LOGGING.1']);
  });

  it('refuses a pattern that matches no check, naming it and where it came from', () => {
    expect(() => selectChecks(all, { patterns: ['EKS.LOGGNG.*'], source: '--checks' }, [])).toThrow(
      new ConfigError(
        '--checks: EKS.LOGGNG.* matches no check (`kubeposture checks` lists the ids; * matches any run of characters)',
      ),
    );
    expect(() => selectChecks(all, undefined, [{ patterns: ['EKS.X', 'EKS.Y'], source: 'checks.disabled' }])).toThrow(
      /^checks.disabled: EKS.X, EKS.Y match no check/,
    );
  });

  it('refuses a selection that leaves no check to run', () => {
    expect(() => selectChecks(all, undefined, [{ patterns: ['*'], source: '--skip-checks' }])).toThrow(
      '--skip-checks: no check is left to run',
    );
  });
});
