import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { checks } from '../checks/index.ts';
import type { createAwsCollector } from '../collectors/aws/index.ts';
import type { createAzureCollector } from '../collectors/azure/index.ts';
import type { createGcpCollector } from '../collectors/gcp/index.ts';
import { createCollector } from '../collectors/index.ts';
import { parseConfig, type ScanConfig } from '../core/config.ts';
import { readConfigFile, readSuppressionsFile } from '../core/config-file.ts';
import { ConfigError, errorMessage, StateConflictError, StateError } from '../core/errors.ts';
import { finalizeScan } from '../core/finalize.ts';
import { hasFailAtOrAbove, type ScanReport } from '../core/report.ts';
import { runScan, type ScanProgress } from '../core/scan.ts';
import { SEVERITIES, type Severity } from '../core/severity.ts';
import type { StoredState } from '../core/state.ts';
import type { Suppression } from '../core/suppressions.ts';
import type { Collector } from '../core/target.ts';
import { escapeControl } from '../core/text.ts';
import { VERSION } from '../core/version.ts';
import { pretty, reportArtifacts } from '../publish/artifacts.ts';
import { toAsff } from '../publish/formats/asff.ts';
import { toOcsf } from '../publish/formats/ocsf.ts';
import { toJson } from '../publish/json.ts';
import { createSlackNotifier, SlackError, webhookUrl } from '../publish/sinks/slack.ts';
import { createLocalStateStore } from '../publish/stores/local.ts';
import { table, toTerminal } from '../publish/terminal.ts';

/** Exit codes, documented in the README; CI pipelines branch on them. */
export const EXIT = { ok: 0, findings: 1, config: 2, runtime: 3 } as const;

export interface CliIo {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Transport for notifications (tests inject one answering on loopback); the webhook URL is checked first. */
  fetch?: typeof fetch;
}

/** The Slack incoming-webhook URL for `--slack` (a secret: read from the environment, never printed). */
export const SLACK_WEBHOOK_ENV = 'KUBEPOSTURE_SLACK_WEBHOOK_URL';

/** Where the CLI keeps finding state unless told otherwise (gitignored). */
export const DEFAULT_STATE_DIR = '.kubeposture';

const SAMPLE_FLEET = fileURLToPath(new URL('../sim/fleets/sample.yaml', import.meta.url));

interface ScanOptions {
  sample?: boolean;
  fleet?: string;
  config?: string;
  accounts?: string;
  regions?: string;
  roleName?: string;
  providers?: string;
  subscriptions?: string;
  projects?: string;
  format: 'table' | 'json' | 'ocsf' | 'asff';
  out?: string;
  /** A folder, or false with --no-state; undefined means the default folder. */
  state?: string | false;
  suppressions?: string;
  slack?: boolean;
  slackSeverity: Severity;
  failOn?: Severity;
  quiet?: boolean;
}

function useColor(io: CliIo, stream: { isTTY?: boolean }): boolean {
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  if (io.env.FORCE_COLOR) return true;
  return Boolean(stream.isTTY);
}

function list(v: string | undefined): string[] | undefined {
  return v === undefined
    ? undefined
    : v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
}

/** File, then flags on top; validated once, so every error names its field. */
async function buildConfig(o: ScanOptions, cwd: string): Promise<ScanConfig> {
  let raw: Record<string, unknown> = o.config ? await readConfigFile(resolve(cwd, o.config)) : {};
  const aws = { ...((raw.aws as Record<string, unknown> | undefined) ?? {}) };
  const accounts = list(o.accounts);
  if (accounts) aws.accounts = accounts.map((id) => ({ id }));
  const regions = list(o.regions);
  if (regions) aws.regions = regions;
  if (o.roleName) aws.roleName = o.roleName;
  raw = { ...raw, aws };
  // Azure and Google Cloud are scanned when their section exists; flags create it.
  const subscriptions = list(o.subscriptions);
  if (subscriptions) raw.azure = { ...((raw.azure as object | undefined) ?? {}), subscriptions };
  const projects = list(o.projects);
  if (projects) raw.gcp = { ...((raw.gcp as object | undefined) ?? {}), projects };
  const providers = list(o.providers);
  if (providers) {
    const bad = providers.filter((p) => !['aws', 'azure', 'gcp'].includes(p));
    if (bad.length) throw new ConfigError(`--providers: ${bad.join(', ')} is not one of aws, azure, gcp`);
    if (providers.includes('azure')) raw.azure ??= {};
    else delete raw.azure;
    if (providers.includes('gcp')) raw.gcp ??= {};
    else delete raw.gcp;
  }
  if (o.failOn) raw.failOn = o.failOn;
  return parseConfig(raw, o.config ? `configuration (${o.config} and flags)` : 'configuration flags');
}

/** `1 cluster`, `2 clusters`. */
function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function progressReporter(
  io: CliIo,
  quiet: boolean | undefined,
): { onProgress: (e: ScanProgress) => void; done: () => void } {
  const tty = Boolean(io.stderr.isTTY);
  let total = 0;
  let finished = 0;
  let clusters = 0;
  let errors = 0;
  const line = () =>
    `Scanning: ${finished}/${total} targets · ${plural(clusters, 'cluster')} · ${plural(errors, 'error')}`;
  return {
    onProgress(e) {
      if (quiet) return;
      if (e.type === 'planned') {
        total = e.targets.length;
        errors += e.errors.length;
        if (!tty)
          io.stderr.write(
            `planned ${total} targets${e.errors.length ? ` (${e.errors.length} ${e.errors.length === 1 ? 'account' : 'accounts'} could not be planned)` : ''}\n`,
          );
      } else if (e.type === 'target-finished') {
        finished++;
        clusters += e.summary.clusters;
        errors += e.errors.length;
        if (!tty) {
          const t = e.target;
          // Account ids and regions can come from cloud listings: never raw on a terminal.
          io.stderr.write(
            `${e.summary.status} ${escapeControl(`${t.provider} ${t.accountId} ${t.region}`)}: ${plural(e.summary.clusters, 'cluster')}\n`,
          );
        }
      }
      if (tty) io.stderr.write(`\r\x1b[2K${line()}`);
    },
    done() {
      if (tty && !quiet) io.stderr.write(`\r\x1b[2K${line()}\n`);
    },
  };
}

async function scan(o: ScanOptions, io: CliIo): Promise<number> {
  const baseConfig = await buildConfig(o, io.cwd);
  const slackWebhook = { env: SLACK_WEBHOOK_ENV, vars: io.env };
  if (o.slack) {
    // A webhook that could never be used (unset, not https, another host) stops the CLI before it scans.
    await webhookUrl(slackWebhook, Date.now(), baseConfig.slack.webhookHosts).catch((e: unknown) => {
      throw e instanceof SlackError ? new ConfigError(`--slack: ${e.message}`) : e;
    });
  }
  // Suppressions and state are read before the scan, so a bad file fails in a second, not after it.
  const suppressions: Suppression[] = o.suppressions ? await readSuppressionsFile(resolve(io.cwd, o.suppressions)) : [];
  const stateDir = o.state === false ? undefined : resolve(io.cwd, o.state ?? DEFAULT_STATE_DIR);
  const store = stateDir
    ? createLocalStateStore(stateDir, { onWarning: (m) => io.stderr.write(`Warning: ${escapeControl(m)}\n`) })
    : undefined;
  const stored: StoredState = store ? await store.load() : { findings: [], lastScan: undefined };
  let config = baseConfig;
  let deps: Parameters<typeof createAwsCollector>[1] = {};
  let azureDeps: Parameters<typeof createAzureCollector>[1] = {};
  let gcpDeps: Parameters<typeof createGcpCollector>[1] = {};
  let stopSim: (() => Promise<void>) | undefined;
  if (o.sample || o.fleet) {
    // The simulated fleet, in-process on loopback: explicit endpoint and fake credentials,
    // so a sample scan can never reach a real cloud whatever the environment says.
    const { startSimulatedCloud } = await import('../sim/index.ts');
    const { loadFleetSpec } = await import('../sim/spec.ts');
    const spec = await loadFleetSpec(resolve(io.cwd, o.fleet ?? SAMPLE_FLEET));
    const sim = await startSimulatedCloud(spec);
    stopSim = () => sim.close();
    deps = { endpoint: sim.aws.endpoint, credentials: sim.callerCredentials, homeRegion: 'us-east-1' };
    if (!o.accounts && !config.aws.accounts) {
      config = parseConfig({
        ...config,
        aws: { ...config.aws, roleName: spec.readerRoleName, accounts: spec.accounts.map((a) => ({ id: a.id })) },
      });
    }
    // Fixed-token credentials and the simulator's endpoints: never a real cloud.
    const { simAzureCredential, simGoogleAuthClient } = await import('../sim/clients.ts');
    const providers = list(o.providers);
    if (sim.azure && (!providers || providers.includes('azure'))) {
      azureDeps = { endpoint: sim.azure.endpoint, ca: sim.azure.ca, credential: simAzureCredential() };
      // The spec's subscriptions, denied ones included, so the sample shows how a denial is reported.
      config = {
        ...config,
        azure: config.azure ?? { maxAttempts: 2, subscriptions: spec.azure?.subscriptions.map((s) => s.id) },
      };
    }
    if (sim.gcp && (!providers || providers.includes('gcp'))) {
      gcpDeps = { endpoint: sim.gcp.endpoint, authClient: simGoogleAuthClient() };
      config = { ...config, gcp: config.gcp ?? { maxAttempts: 2, projects: spec.gcp?.projects.map((p) => p.id) } };
    }
  }
  const providers = list(o.providers);
  const collectors: Collector[] = [];
  if (!providers || providers.includes('aws')) collectors.push(createCollector('aws', config, { aws: deps }));
  if (config.azure) collectors.push(createCollector('azure', config, { azure: azureDeps }));
  if (config.gcp) collectors.push(createCollector('gcp', config, { gcp: gcpDeps }));
  try {
    const progress = progressReporter(io, o.quiet || o.format === 'json');
    const scanned = await runScan({
      collectors,
      checks,
      config,
      trigger: o.sample ? 'cli-sample' : 'cli',
      onProgress: progress.onProgress,
    });
    progress.done();
    const notifiers = o.slack
      ? [
          createSlackNotifier({
            webhook: slackWebhook,
            webhookHosts: config.slack.webhookHosts,
            minSeverity: o.slackSeverity,
            ...(io.fetch ? { fetch: io.fetch } : {}),
          }),
        ]
      : [];
    const { report, failures } = await finalizeScan(scanned, {
      ...(store ? { state: store, stored } : {}),
      notifiers,
      suppressions,
      now: new Date(),
    });
    await emit(report, o, io, stateDir);
    for (const f of failures) io.stderr.write(`Could not notify ${f.sink}: ${escapeControl(f.error)}\n`);
    if (failures.length > 0) return EXIT.runtime;
    if (config.failOn && hasFailAtOrAbove(report, config.failOn)) {
      io.stderr.write(`FAIL findings at or above ${config.failOn}: exiting with ${EXIT.findings}\n`);
      return EXIT.findings;
    }
    return EXIT.ok;
  } finally {
    await stopSim?.();
  }
}

async function emit(report: ScanReport, o: ScanOptions, io: CliIo, stateDir: string | undefined): Promise<void> {
  if (o.format === 'json') io.stdout.write(toJson(report));
  else if (o.format === 'ocsf') io.stdout.write(pretty(toOcsf(report, checks)));
  else if (o.format === 'asff') io.stdout.write(pretty(toAsff(report, checks)));
  else {
    const label = stateDir ? relative(io.cwd, stateDir) || '.' : undefined;
    io.stdout.write(`${toTerminal(report, { color: useColor(io, io.stdout), stateLabel: label })}\n`);
  }
  if (o.out) {
    const dir = resolve(io.cwd, o.out);
    await mkdir(dir, { recursive: true });
    const files = reportArtifacts(report, checks);
    for (const f of files) await writeFile(join(dir, f.name), f.body);
    io.stderr.write(`Wrote ${files.map((f) => join(dir, f.name)).join(', ')}\n`);
  }
}

function listChecks(format: string, io: CliIo): number {
  if (format === 'json') {
    io.stdout.write(
      `${JSON.stringify(
        checks.map(({ evaluate: _e, ...meta }) => meta),
        null,
        2,
      )}\n`,
    );
    return EXIT.ok;
  }
  const rows = checks.map((c) => [c.id, c.severity, c.category, c.provider, c.title]);
  io.stdout.write(`${table([['ID', 'SEVERITY', 'CATEGORY', 'CLOUD', 'TITLE'], ...rows])}\n`);
  return EXIT.ok;
}

/** Runs the CLI; returns the exit code instead of exiting, so tests can call it in-process. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  let code: number = EXIT.ok;
  const program = new Command()
    .name('kubeposture')
    .description('Posture scanner for managed Kubernetes: EKS, AKS and GKE.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  program
    .command('scan')
    .description('Scan clusters and report their cloud-side posture')
    .option('--sample', 'start the bundled simulated fleet on loopback and scan it')
    .option('--fleet <file>', 'scan a simulated fleet spec (YAML) instead of the sample')
    .option('-c, --config <file>', 'configuration file (YAML)')
    .option('--accounts <ids>', 'comma-separated AWS account ids to scan through the reader role')
    .option('--regions <regions>', 'comma-separated AWS regions (default: every region enabled in each account)')
    .option('--role-name <name>', 'IAM role to assume in each account (default KubepostureReader)')
    .option(
      '--providers <clouds>',
      'comma-separated clouds to scan: aws, azure, gcp (default: aws, plus those configured)',
    )
    .option('--subscriptions <ids>', 'comma-separated Azure subscription ids (enables Azure)')
    .option('--projects <ids>', 'comma-separated Google Cloud project ids (enables GKE)')
    .addOption(
      new Option('-f, --format <format>', 'output on stdout: a summary table, the JSON report, OCSF or ASFF findings')
        .choices(['table', 'json', 'ocsf', 'asff'])
        .default('table'),
    )
    .option('-o, --out <dir>', 'also write report.json, report.ocsf.json and report.html to this folder')
    .option('--state <dir>', `keep finding state in this folder, to report what changed (default ${DEFAULT_STATE_DIR})`)
    .option('--no-state', 'keep no state: every failing finding is new, nothing is written')
    .option('--suppressions <file>', 'YAML list of accepted findings (check, resource pattern, reason, owner, expires)')
    .option('--slack', `post the digest of new and regressed findings to the Slack webhook in $${SLACK_WEBHOOK_ENV}`)
    .addOption(
      new Option('--slack-severity <severity>', 'list new and regressed findings at or above this severity in Slack')
        .choices([...SEVERITIES])
        .default('high'),
    )
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 when a FAIL at or above this severity exists').choices([
        ...SEVERITIES,
      ]),
    )
    .option('-q, --quiet', 'no progress output')
    .action(async (opts: ScanOptions) => {
      code = await scan(opts, io);
    });

  program
    .command('checks')
    .description('List the check catalogue')
    .addOption(new Option('-f, --format <format>', 'output').choices(['table', 'json']).default('table'))
    .action((opts: { format: string }) => {
      code = listChecks(opts.format, io);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return EXIT.ok; // --help, --version
      return EXIT.config;
    }
    // Messages can quote file contents or cloud answers: shown with control characters escaped.
    const say = (label: string, message: string) =>
      io.stderr.write(`${label}: ${escapeControl(message, { multiline: true })}\n`);
    if (e instanceof ConfigError) {
      say('Configuration error', e.message);
      return EXIT.config;
    }
    if (e instanceof StateError) {
      say('State error', e.message);
      return EXIT.config;
    }
    if (e instanceof StateConflictError) {
      say('State conflict', e.message);
      return EXIT.runtime;
    }
    say('kubeposture failed', errorMessage(e));
    return EXIT.runtime;
  }
}
