/**
 * How a Lambda function is bundled, in one place: the stack (ScannerFunction) and bench/bundles.ts both call
 * `bundleFunction`, so the benchmark measures what is deployed. Kept free of aws-cdk-lib so the bench loads it cheaply.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, buildSync, type Metafile } from 'esbuild';

/** The handlers under functions/, one Lambda function each. */
export const SCANNER_FUNCTIONS = ['plan', 'scan-target', 'finalize', 'api', 'rescan'] as const;
export type ScannerFunctionName = (typeof SCANNER_FUNCTIONS)[number];

/** The functions that scan AWS targets (rescan: single clusters, on change events): what they load at cold start must stay within `AWS_BUNDLE_BUDGET_BYTES`. */
export const AWS_SCANNING_FUNCTIONS: readonly ScannerFunctionName[] = ['plan', 'scan-target', 'rescan'];

/** The functions that also serve Azure and Google Cloud targets, from chunks loaded on demand (rescan: AWS events). */
export const MULTI_CLOUD_FUNCTIONS: readonly ScannerFunctionName[] = ['plan', 'scan-target'];

/** Issue #11: an AWS plan or scan-target cold start loads at most this much minified code. */
export const AWS_BUNDLE_BUDGET_BYTES = 2_000_000;

/** Packages only Azure and Google Cloud targets use; an AWS cold start must not load them. */
export const NON_AWS_SDK = /node_modules\/((?:@azure|@google-cloud|@grpc)\/[^/]+|google-gax|protobufjs)\//;

export const functionEntry = (name: string): string =>
  fileURLToPath(new URL(`../functions/${name}.ts`, import.meta.url));

/** Lets bundled CommonJS dependencies `require` Node built-ins from an ESM bundle (every output file gets it). */
export const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/** The file Lambda loads: the handler is `index.handler`. */
export const BUNDLE_ENTRY_FILE = 'index.mjs';

export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  // Each lazy `import()` (the Azure and Google collectors, the SDK's rarer credential providers) becomes a file
  // of its own, loaded only when called: an AWS target never reads the Azure or Google SDKs.
  splitting: true,
  entryNames: 'index',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  mainFields: ['module', 'main'],
  banner: { js: ESM_REQUIRE_BANNER },
  // CommonJS dependencies read these (google-gax at load); an ES module has none, so each file's own stand in.
  define: { __dirname: 'import.meta.dirname', __filename: 'import.meta.filename' },
  minify: true,
  // No externals: the AWS SDK ships at the version the tests ran against, not whatever the runtime carries.
  // Written beside each file for reading stack traces; Node reads them only when the deployment sets `sourceMaps`.
  sourcemap: true,
  logLevel: 'warning',
} as const satisfies BuildOptions;

/** Bundles one handler into `outdir` (`index.mjs` plus `chunks/`, each with its `.map`); synchronous, as CDK's local bundling is. */
export function bundleFunction(entry: string, outdir: string): Metafile {
  return buildSync({ ...BUNDLE_OPTIONS, entryPoints: [entry], outdir, metafile: true }).metafile;
}

/** `NODE_OPTIONS` of a function: source maps cost a parse of every map at cold start, so only when asked for. */
export function functionNodeOptions(sourceMaps: boolean): Record<string, string> {
  return sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {};
}

// `import{a as b}from"./chunks/x.mjs"` and `import"./x.mjs"`, never `import("./x.mjs")` (loaded on demand).
const STATIC_IMPORT = /(?:\bfrom|\bimport)\s*["'](\.{1,2}\/[^"']+\.mjs)["']/g;

/**
 * The files of a bundle that Node reads when the entry is imported: the entry and, transitively, its static
 * imports, not the chunks behind a dynamic `import()`. Read from the output itself, so it checks what ships.
 */
export function loadedAtImport(dir: string, entry = BUNDLE_ENTRY_FILE): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(join(dir, file), 'utf8');
    for (const [, spec] of text.matchAll(STATIC_IMPORT)) {
      const target = relative(dir, resolve(dir, dirname(file), spec!));
      // A match inside a string literal of bundled code names no file of ours.
      if (existsSync(join(dir, target))) visit(target);
    }
  };
  visit(entry);
  return [...seen];
}

/** Every JavaScript file of a bundle, relative to `dir`. */
export function bundleFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.mjs'));
}

/** The source files (from each file's source map) that went into the given files of a bundle. */
export function bundleSources(dir: string, files: readonly string[]): string[] {
  return files.flatMap((f) => {
    const map = join(dir, `${f}.map`);
    if (!existsSync(map)) throw new Error(`${f} has no source map: cannot tell what it contains`);
    return (JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] }).sources;
  });
}

export const totalBytes = (dir: string, files: readonly string[]): number =>
  files.reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
