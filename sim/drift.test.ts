import { describe, expect, it } from 'vitest';
import { SAMPLE_DRIFT_TRIGGER, sampleDrift } from './drift.ts';
import { loadSampleFleet } from './index.ts';

describe('sampleDrift', () => {
  it('changes exactly the two scripted clusters of the sample fleet, and leaves the spec it was given alone', async () => {
    const base = await loadSampleFleet();
    const before = JSON.stringify(base);
    const drifted = sampleDrift(base);
    expect(JSON.stringify(base)).toBe(before);
    const changed = drifted.accounts.flatMap((a, i) =>
      a.clusters
        .filter((c, j) => JSON.stringify(c) !== JSON.stringify(base.accounts[i]!.clusters[j]))
        .map((c) => c.name),
    );
    // A rename in sample.yaml would make the drift a silent no-op: this fails first.
    expect(changed.sort()).toEqual(['ml-training', 'payments-prod']);
    expect(SAMPLE_DRIFT_TRIGGER).not.toBe('cli-sample');
  });
});
