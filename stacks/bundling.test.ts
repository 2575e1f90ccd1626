import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  bundleFiles,
  bundleSources,
  functionNodeOptions,
  loadedAtImport,
  NON_AWS_SDK,
  totalBytes,
} from './bundling.ts';

// The real bundles are checked in scanner-stack.test.ts, on the assets the stack synthesizes.
describe('bundle inspection', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function bundle(files: Record<string, string>): string {
    dir = mkdtempSync(join(tmpdir(), 'kp-bundle-'));
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    return dir;
  }

  it('follows static imports from the entry, through chunks, but not dynamic imports or strings naming no file', () => {
    // Prepare: minified esbuild output shapes; `lazy` and `never` are reached only by import().
    const d = bundle({
      'index.mjs':
        'import{a as b}from"./chunks/a.mjs";import"./chunks/side.mjs";const l=()=>import("./chunks/lazy.mjs");',
      'chunks/a.mjs': 'import{c}from"./shared.mjs";const s=\'from"./missing.mjs"\';export const a=1;',
      'chunks/shared.mjs': 'import"../index.mjs";export const c=2;',
      'chunks/side.mjs': 'globalThis.x=1;',
      'chunks/lazy.mjs': 'import{c}from"./shared.mjs";import("./never.mjs");',
      'chunks/never.mjs': '',
    });

    // Act
    const loaded = loadedAtImport(d).sort();

    // Assess
    expect(loaded).toEqual(['chunks/a.mjs', 'chunks/shared.mjs', 'chunks/side.mjs', 'index.mjs']);
    expect(bundleFiles(d).sort()).toEqual([...loaded, 'chunks/lazy.mjs', 'chunks/never.mjs'].sort());
    expect(totalBytes(d, ['chunks/side.mjs'])).toBe('globalThis.x=1;'.length);
  });

  it('reads what went into a file from its source map, and refuses a file without one', () => {
    const d = bundle({
      'index.mjs': '',
      'index.mjs.map': JSON.stringify({
        sources: ['../../functions/plan.ts', '../../node_modules/zod/v4/core/api.js'],
      }),
      'chunks/x.mjs': '',
    });
    expect(bundleSources(d, ['index.mjs'])).toEqual([
      '../../functions/plan.ts',
      '../../node_modules/zod/v4/core/api.js',
    ]);
    expect(() => bundleSources(d, ['chunks/x.mjs'])).toThrow(/chunks\/x\.mjs has no source map/);
  });

  it('names the Azure and Google packages, not the AWS SDK', () => {
    const pkg = (s: string) => s.match(NON_AWS_SDK)?.[1];
    expect(pkg('../node_modules/@azure/identity/dist/esm/index.js')).toBe('@azure/identity');
    expect(pkg('../node_modules/@google-cloud/container/build/src/index.js')).toBe('@google-cloud/container');
    expect(pkg('../node_modules/google-gax/build/src/index.js')).toBe('google-gax');
    expect(pkg('../node_modules/@grpc/grpc-js/build/src/index.js')).toBe('@grpc/grpc-js');
    expect(pkg('../node_modules/@aws-sdk/client-eks/dist-es/index.js')).toBeUndefined();
    expect(pkg('../collectors/azure/index.ts')).toBeUndefined();
  });

  it('enables source maps at run time only when asked', () => {
    expect(functionNodeOptions(false)).toEqual({});
    expect(functionNodeOptions(true)).toEqual({ NODE_OPTIONS: '--enable-source-maps' });
  });
});
