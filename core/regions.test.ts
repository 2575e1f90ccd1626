import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { AWS_REGION } from './config.ts';
import { AWS_REGIONS } from './regions.ts';

/**
 * The regions of the installed AWS SDK's partition data (`"eu-west-1": { "description": ... }`), read from its file in
 * the test only, so core stays free of it.
 */
function sdkRegions(): string[] {
  const file = createRequire(import.meta.url).resolve('@aws-sdk/core/client');
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/"([a-z]{2,4}(?:-[a-z]+)+-\d+)":\s*\{\s*"description"/g)].map((m) => m[1]!);
}

describe('AWS_REGIONS', () => {
  it('holds every region the installed AWS SDK knows (a new SDK with a new region fails here: add it)', () => {
    // Only names kubeposture's region format accepts: the sovereign cloud's `eusc-` names are not scan targets yet.
    const scannable = sdkRegions().filter((r) => AWS_REGION.safeParse(r).success);
    expect(scannable.length).toBeGreaterThan(30);
    expect(scannable.filter((r) => !AWS_REGIONS.includes(r))).toEqual([]);
  });

  it('is valid, sorted and unique', () => {
    for (const r of AWS_REGIONS) expect(AWS_REGION.safeParse(r).success, r).toBe(true);
    expect([...AWS_REGIONS].sort()).toEqual(AWS_REGIONS);
    expect(new Set(AWS_REGIONS).size).toBe(AWS_REGIONS.length);
  });
});
