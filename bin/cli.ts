import { access, constants, mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { frameworksByIds } from '../checks/frameworks/index.ts';
import { checks } from '../checks/index.ts';
import type { createAwsCollector } from '../collectors/aws/index.ts';
import type { createAzureCollector } from '../collectors/azure/index.ts';
import type { createGcpCollector } from '../collectors/gcp/index.ts';
import { createCollector } from '../collectors/index.ts';
import { createThreadedCollector } from '../collectors/worker-pool.ts';
import { selectChecks } from '../core/check-select.ts';
import { type ClusterRef, ClusterRefError, parseClusterRef } from '../core/cluster-ref.ts';
import { complianceReports } from '../core/compliance.ts';
import { configWarnings, parseConfig, type ScanConfig } from '../core/config.ts';
import { readConfigFile, readSuppressionsFile } from '../core/config-file.ts';
import { ConfigError, errorMessage, StateConflictError, StateError } from '../core/errors.ts';
import { finalizeScan } from '../core/finalize.ts';
import { filterReport, type GateFailure, gateFailures, plural, type ScanReport } from '../core/report.ts';
import { runScan, type ScanProgress } from '../core/scan.ts';
import { atLeast, SEVERITIES, type Severity } from '../core/severity.ts';
import type { StoredState } from '../core/state.ts';
import type { Suppression } from '../core/suppressions.ts';
import type { Collector } from '../core/target.ts';
import { escapeControl } from '../core/text.ts';
import { VERSION } from '../core/version.ts';
import { pretty, reportArtifacts } from '../publish/artifacts.ts';
import { complianceTerminal } from '../publish/compliance-terminal.ts';
import { toAsff } from '../publish/formats/asff.ts';
import { toCsv } from '../publish/formats/csv.ts';
import { toOcsf } from '../publish/formats/ocsf.ts';
import { toJson } from '../publish/json.ts';
import { createSlackNotifier, SlackError, webhookUrl } from '../publish/sinks/slack.ts';
import { createLocalStateStore } from '../publish/stores/local.ts';
import { colorEnabled, fitWidth, outputWidth, table, toTerminal } from '../publish/terminal.ts';
import { SAMPLE_DRIFT_TRIGGER, sampleDrift } from '../sim/drift.ts';
import { type PathsOptions, pathsCommand } from './paths.ts';

/** Exit codes, documented in the README and `--help`; CI pipelines branch on them. */
export const EXIT = { ok: 0, findings: 1, config: 2, runtime: 3, incomplete: 4, errors: 5 } as const;

/** Which gate failure gives which exit code (the first failure, worst first, decides). */
const GATE_EXIT: Record<GateFailure['kind'], number> = {
  incomplete: EXIT.incomplete,
  errors: EXIT.errors,
  findings: EXIT.findings,
};

export const EXIT_CODES_HELP = `
Exit codes:
  0  done, and no gate failed
  1  an unsuppressed FAIL at or above --fail-on (after --severity and --changed-only)
  2  bad configuration, flag, suppressions file, output path or stored state (checked before scanning)
  3  unexpected failure, a notification that could not be sent, or another scan holding the state
  4  scan incomplete: no target could be scanned, or more than --max-failed-targets percent failed
  5  --fail-on-error: an ERROR result or a collection error
When several apply, the exit code is the first of 3, 4, 5, 1; stderr names each.
`;

/** Share of targets (percent) that may fail before exit 4: half the fleet unread is not a posture. */
export const DEFAULT_MAX_FAILED_TARGETS = 50;

const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

export interface CliIo {
  stdout: { write(s: string): unknown; isTTY?: boolean; columns?: number };
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
  format: 'table' | 'json' | 'ocsf' | 'asff' | 'csv';
  /** Framework ids, each value comma-separated (`--compliance`, repeatable). */
  compliance?: string[];
  out?: string;
  /** A folder, or false with --no-state; undefined means the default folder. */
  state?: string | false;
  suppressions?: string;
  slack?: boolean;
  slackSeverity: Severity;
  failOn?: Severity;
  failOnError?: boolean;
  maxFailedTargets: number;
  quiet?: boolean;
  severity?: Severity;
  checks?: string;
  skipChecks?: string;
  changedOnly?: boolean;
  output?: string;
  /** False with --no-color. */
  color: boolean;
  logLevel?: LogLevel;
  securityhubAccount?: string;
  securityhubRegion?: string;
  allowUnknownRegions?: boolean;
  /** `--cluster`, repeatable: scan these clusters only, and reconcile only them. */
  cluster?: string[];
}

/** Writes to stderr what the log level lets through; fatal errors bypass it (they are always shown). */
interface Log {
  at(level: LogLevel): boolean;
  write(level: LogLevel, message: string): void;
}

/** Machine formats keep stderr to warnings unless asked: progress is for people watching a terminal. */
function logger(io: CliIo, o: Pick<ScanOptions, 'logLevel' | 'quiet' | 'format'>): Log {
  const level: LogLevel = o.logLevel ?? (o.quiet || o.format !== 'table' ? 'warn' : 'info');
  const limit = LOG_LEVELS.indexOf(level);
  const at = (l: LogLevel) => LOG_LEVELS.indexOf(l) <= limit;
  return {
    at,
    write(l, message) {
      if (at(l)) io.stderr.write(message);
    },
  };
}

function percent(value: string): number {
  const n = Number(value.trim().replace(/%$/, ''));
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100) {
    throw new InvalidArgumentError('a percentage from 0 to 100, like 50 or 12.5');
  }
  return n;
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
  if (o.allowUnknownRegions) aws.allowUnknownRegions = true;
  raw = { ...raw, aws };
  if (o.securityhubAccount || o.securityhubRegion) {
    raw.securityHub = {
      ...((raw.securityHub as object | undefined) ?? {}),
      ...(o.securityhubAccount ? { accountId: o.securityhubAccount } : {}),
      ...(o.securityhubRegion ? { region: o.securityhubRegion } : {}),
    };
  }
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

/**
 * Progress on stderr at info level (a live line on a terminal, one line per target otherwise); debug adds target
 * starts and times. An account, subscription or project that fails while being planned is a failed target in the
 * report, so it counts in the total here too: the progress and the summary give the same number.
 */
function progressReporter(io: CliIo, log: Log): { onProgress: (e: ScanProgress) => void; done: () => void } {
  const tty = Boolean(io.stderr.isTTY);
  const show = log.at('info');
  const debug = log.at('debug');
  let total = 0;
  let finished = 0;
  let clusters = 0;
  let errors = 0;
  const started = new Map<string, number>();
  // Account ids and regions can come from cloud listings: never raw on a terminal.
  const where = (t: { provider: string; accountId: string; region: string }) =>
    escapeControl(`${t.provider} ${t.accountId} ${t.region}`);
  const line = () =>
    `Scanning: ${finished}/${plural(total, 'target')} · ${plural(clusters, 'cluster')} · ${plural(errors, 'error')}`;
  return {
    onProgress(e) {
      if (!show) return;
      if (e.type === 'planned') {
        total = e.targets.length + e.errors.length;
        finished = e.errors.length;
        errors += e.errors.length;
        if (!tty || debug) {
          const failedToPlan = e.errors.length ? ` (${e.errors.length} failed while planning)` : '';
          io.stderr.write(`planned ${plural(total, 'target')}${failedToPlan}\n`);
          for (const err of e.errors)
            io.stderr.write(`failed ${where(err)}: ${escapeControl(err.stage)} ${escapeControl(err.code)}\n`);
        }
      } else if (e.type === 'target-started') {
        started.set(where(e.target), Date.now());
        if (debug) io.stderr.write(`${tty ? '\r\x1b[2K' : ''}started ${where(e.target)}\n`);
      } else if (e.type === 'target-finished') {
        finished++;
        clusters += e.summary.clusters;
        errors += e.errors.length;
        if (!tty || debug) {
          const ms = Date.now() - (started.get(where(e.target)) ?? Date.now());
          io.stderr.write(
            `${tty ? '\r\x1b[2K' : ''}${e.summary.status} ${where(e.target)}: ${plural(e.summary.clusters, 'cluster')}${debug ? ` in ${ms} ms` : ''}\n`,
          );
        }
      }
      if (tty) io.stderr.write(`\r\x1b[2K${line()}`);
    },
    done() {
      if (tty && show) io.stderr.write(`\r\x1b[2K${line()}\n`);
    },
  };
}

/**
 * `--out DIR` and `--output FILE` checked before scanning, so a bad path fails in a second with a message, not after
 * the scan with a raw EEXIST: the folder must be a folder (or creatable under one), the file not a folder, and the
 * nearest existing folder writable.
 */
async function checkOutputPath(path: string, flag: string, kind: 'folder' | 'file'): Promise<void> {
  const kindOf = async (p: string) => {
    try {
      return (await stat(p)).isDirectory() ? 'folder' : 'file';
    } catch (e) {
      // ENOTDIR: something on the way is a file; the walk up below finds and names it.
      if (['ENOENT', 'ENOTDIR'].includes((e as NodeJS.ErrnoException).code ?? '')) return undefined;
      throw new ConfigError(`${flag}: cannot read ${p}: ${errorMessage(e)}`);
    }
  };
  const found = await kindOf(path);
  if (found && found !== kind) {
    throw new ConfigError(
      kind === 'folder'
        ? `${flag}: ${path} is a file; give a folder to write report.json, report.ocsf.json and report.html into`
        : `${flag}: ${path} is a folder; give a file name (or use --out for a folder of reports)`,
    );
  }
  // The nearest folder that exists must be a folder we can write to (the rest is created).
  let dir = found === 'folder' ? path : dirname(path);
  for (;;) {
    const k = await kindOf(dir);
    if (k === 'file') throw new ConfigError(`${flag}: ${dir} is a file, so ${path} cannot be created`);
    if (k === 'folder') break;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  await access(dir, constants.W_OK).catch(() => {
    throw new ConfigError(`${flag}: ${dir} is not writable`);
  });
}

/** `high and above · changed only · checks EKS.* · skipping EKS.HYGIENE.*`, or undefined when nothing is filtered. */
function filterLabel(o: ScanOptions, disabled: readonly string[]): string | undefined {
  const parts: string[] = [];
  if (o.severity && o.severity !== 'info') parts.push(`${o.severity} and above`);
  if (o.changedOnly) parts.push('changed only (new, regressed, resolved)');
  if (o.checks) parts.push(`checks ${list(o.checks)?.join(', ')}`);
  const skipped = [...(list(o.skipChecks) ?? []), ...disabled];
  if (skipped.length) parts.push(`skipping ${skipped.join(', ')}`);
  return parts.length ? parts.join(' · ') : undefined;
}

/** `--cluster` values, each an EKS ARN, AKS resource id or GKE cluster path; a bad one is a usage error (exit 2). */
function clusterRefs(values: readonly string[] | undefined): ClusterRef[] | undefined {
  if (!values?.length) return undefined;
  return values.map((v) => {
    try {
      return parseClusterRef(v);
    } catch (e) {
      throw e instanceof ClusterRefError ? new ConfigError(`--cluster: ${e.message}`) : e;
    }
  });
}

async function scan(o: ScanOptions, io: CliIo): Promise<number> {
  const log = logger(io, o);
  // An unknown benchmark fails here, before anything is scanned.
  const benchmarks = o.compliance ? frameworksByIds(o.compliance) : [];
  const clusters = clusterRefs(o.cluster);
  const baseConfig = await buildConfig(o, io.cwd);
  for (const w of configWarnings(baseConfig)) log.write('warn', `Warning: ${w}\n`);
  // Which checks run: a pattern that matches nothing fails here, before anything is scanned.
  const include = list(o.checks);
  const selected = selectChecks(checks, include ? { patterns: include, source: '--checks' } : undefined, [
    { patterns: list(o.skipChecks) ?? [], source: '--skip-checks' },
    { patterns: baseConfig.checks.disabled, source: 'checks.disabled' },
  ]);
  if (o.out) await checkOutputPath(resolve(io.cwd, o.out), '--out', 'folder');
  if (o.output) await checkOutputPath(resolve(io.cwd, o.output), '--output', 'file');
  const slackWebhook = { env: SLACK_WEBHOOK_ENV, vars: io.env };
  if (o.slack) {
    // A webhook that could never be used (unset, not https, another host) stops the CLI before it scans.
    await webhookUrl(slackWebhook, Date.now(), baseConfig.slack.webhookHosts).catch((e: unknown) => {
      throw e instanceof SlackError ? new ConfigError(`--slack: ${e.message}`) : e;
    });
  }
  // Suppressions and state are read before the scan, so a bad file fails in a second, not after it.
  const suppressions: Suppression[] = o.suppressions
    ? await readSuppressionsFile(resolve(io.cwd, o.suppressions), { checkIds: checks.map((c) => c.id) })
    : [];
  const stateDir = o.state === false ? undefined : resolve(io.cwd, o.state ?? DEFAULT_STATE_DIR);
  const store = stateDir
    ? createLocalStateStore(stateDir, { onWarning: (m) => log.write('warn', `Warning: ${escapeControl(m)}\n`) })
    : undefined;
  const stored: StoredState = store ? await store.load() : { findings: [], lastScan: undefined };
  let config = baseConfig;
  let deps: Parameters<typeof createAwsCollector>[1] = {};
  let azureDeps: Parameters<typeof createAzureCollector>[1] = {};
  let gcpDeps: Parameters<typeof createGcpCollector>[1] = {};
  let stopSim: (() => Promise<void>) | undefined;
  // With state, every other `--sample` run scans the drifted sample fleet, so the second run shows a delta.
  const drift = Boolean(o.sample && !o.fleet && stored.lastScan?.trigger === 'cli-sample');
  if (o.sample || o.fleet) {
    // The simulated fleet, in-process on loopback: explicit endpoint and fake credentials,
    // so a sample scan can never reach a real cloud whatever the environment says.
    const { startSimulatedCloud } = await import('../sim/index.ts');
    const { loadFleetSpec } = await import('../sim/spec.ts');
    const base = await loadFleetSpec(resolve(io.cwd, o.fleet ?? SAMPLE_FLEET));
    const spec = drift ? sampleDrift(base) : base;
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
      const gcp = config.gcp ?? { maxAttempts: 2, projects: spec.gcp?.projects.map((p) => p.id) };
      // The fleet says which domains are its organization's (GKE.ACCESS.4), as a real scan's config would.
      const organizationDomains = gcp.organizationDomains ?? spec.gcp?.organizationDomains;
      config = { ...config, gcp: { ...gcp, ...(organizationDomains ? { organizationDomains } : {}) } };
    }
  }
  const providers = list(o.providers);
  const collectors: Collector[] = [];
  // Named clusters bring their own clouds' collectors: an AKS id needs no --subscriptions to be read.
  const wants = (p: Collector['provider']) => clusters?.some((c) => c.provider === p);
  // A large AWS fleet is collected on threads, one account per thread (concurrency.threads); they end with the scan.
  const aws = (clusters ? wants('aws') : !providers || providers.includes('aws'))
    ? createThreadedCollector('aws', config, { aws: deps }, config.concurrency.threads)
    : undefined;
  if (aws) collectors.push(aws);
  if (clusters ? wants('azure') : config.azure) collectors.push(createCollector('azure', config, { azure: azureDeps }));
  if (clusters ? wants('gcp') : config.gcp) collectors.push(createCollector('gcp', config, { gcp: gcpDeps }));
  try {
    if (o.format === 'asff' && (config.azure || config.gcp) && !config.securityHub?.accountId) {
      // Known before scanning: AKS and GKE findings have no AWS account to stamp into ASFF.
      throw new ConfigError(
        '--format asff with Azure or Google Cloud needs the Security Hub account the findings are imported into: ' +
          'pass --securityhub-account <12-digit id> or set securityHub.accountId',
      );
    }
    const progress = progressReporter(io, log);
    if (selected.length < checks.length) log.write('debug', `running ${selected.length} of ${checks.length} checks\n`);
    const scanned = await runScan({
      collectors,
      checks: selected,
      config,
      trigger: drift ? SAMPLE_DRIFT_TRIGGER : o.sample ? 'cli-sample' : 'cli',
      onProgress: progress.onProgress,
      ...(clusters ? { clusters } : {}),
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
    // State recorded the whole scan; the filters only decide what is shown, written and gated on.
    // Compliance is judged on every finding of the scan; the display filters do not turn a FAIL into a PASS.
    if (benchmarks.length) report.compliance = complianceReports(report.findings, benchmarks, checks);
    const shown = filterReport(report, { minSeverity: o.severity, changedOnly: o.changedOnly });
    await emit(shown, o, io, log, stateDir, filterLabel(o, baseConfig.checks.disabled), config.securityHub);
    for (const f of failures) io.stderr.write(`Could not notify ${f.sink}: ${escapeControl(f.error)}\n`);
    const gate = gateFailures(report, shown, {
      failOn: config.failOn,
      failOnError: o.failOnError,
      maxFailedTargetsPercent: o.maxFailedTargets,
    });
    for (const g of gate) io.stderr.write(`Gate: ${g.message} (exit ${GATE_EXIT[g.kind]})\n`);
    if (failures.length > 0) return EXIT.runtime;
    return gate[0] ? GATE_EXIT[gate[0].kind] : EXIT.ok;
  } finally {
    await aws?.close();
    await stopSim?.();
  }
}

/** The chosen --format on stdout, or in the --output file (never coloured), then the --out folder. */
async function emit(
  report: ScanReport,
  o: ScanOptions,
  io: CliIo,
  log: Log,
  stateDir: string | undefined,
  filter: string | undefined,
  securityHub: ScanConfig['securityHub'] = {},
): Promise<void> {
  let body: string;
  if (o.format === 'json') body = toJson(report);
  else if (o.format === 'ocsf') body = pretty(toOcsf(report, checks));
  else if (o.format === 'asff') body = pretty(toAsff(report, checks, securityHub));
  else if (o.format === 'csv') body = toCsv(report, checks);
  else {
    const label = stateDir ? relative(io.cwd, stateDir) || '.' : undefined;
    const color = !o.output && colorEnabled(io.env, io.stdout.isTTY, o.color);
    const width = o.output ? outputWidth({}, io.env) : outputWidth(io.stdout, io.env);
    body = `${toTerminal(report, { color, stateLabel: label, width, ...(filter ? { filterLabel: filter } : {}) })}\n`;
    if (report.compliance) body += `\n${fitWidth(complianceTerminal(report.compliance, { color }), width).text}\n`;
  }
  if (o.output) {
    const file = resolve(io.cwd, o.output);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, body);
    log.write('info', `Wrote ${file}\n`);
  } else io.stdout.write(body);
  if (o.out) {
    const dir = resolve(io.cwd, o.out);
    await mkdir(dir, { recursive: true });
    const files = reportArtifacts(report, checks);
    for (const f of files) await writeFile(join(dir, f.name), f.body);
    log.write('info', `Wrote ${files.map((f) => join(dir, f.name)).join(', ')}\n`);
  }
}

/** Cloud names `checks --provider` accepts: the provider id, or its Kubernetes service. */
const PROVIDER_ALIASES: Record<string, string> = {
  aws: 'aws',
  eks: 'aws',
  azure: 'azure',
  aks: 'azure',
  gcp: 'gcp',
  gke: 'gcp',
};

/** The catalogue sorted by id (numbers in ids compare as numbers: EKS.NODES.2 before EKS.NODES.10), filtered. */
function listChecks(opts: { format: string; provider?: string; severity?: Severity }, io: CliIo): number {
  const provider = opts.provider ? PROVIDER_ALIASES[opts.provider] : undefined;
  const shown = checks
    .filter((c) => (!provider || c.provider === provider) && (!opts.severity || atLeast(c.severity, opts.severity)))
    .sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
  if (opts.format === 'json') {
    io.stdout.write(
      `${JSON.stringify(
        shown.map(({ evaluate: _e, ...meta }) => meta),
        null,
        2,
      )}\n`,
    );
    return EXIT.ok;
  }
  const rows = shown.map((c) => [c.id, c.severity, c.category, c.provider, c.title]);
  const text = table([['ID', 'SEVERITY', 'CATEGORY', 'CLOUD', 'TITLE'], ...rows]);
  io.stdout.write(`${fitWidth(text, outputWidth(io.stdout, io.env)).text}\n`);
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
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .addHelpText('after', EXIT_CODES_HELP);

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
      new Option(
        '-f, --format <format>',
        'output on stdout: a summary table, the JSON report, OCSF or ASFF findings, or CSV (one row per result)',
      )
        .choices(['table', 'json', 'ocsf', 'asff', 'csv'])
        .default('table'),
    )
    .option(
      '--compliance <ids>',
      'report every control of these benchmarks per cluster (cis-eks-1.8, cis-aks-1.8, cis-gke-1.9, securityhub); comma-separated or repeated; with csv, one row per control and cluster',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--output <file>', 'write the chosen --format to this file instead of stdout (overwritten if it exists)')
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
      new Option('--fail-on <severity>', 'exit 1 when an unsuppressed FAIL at or above this severity is shown').choices(
        [...SEVERITIES],
      ),
    )
    .option('--fail-on-error', 'exit 5 when any check gives ERROR or any target has a collection error')
    .addOption(
      new Option('--max-failed-targets <percent>', 'exit 4 when more than this share of targets failed')
        .argParser(percent)
        .default(DEFAULT_MAX_FAILED_TARGETS),
    )
    .addOption(
      new Option('--severity <severity>', 'show and write only findings at or above this severity').choices([
        ...SEVERITIES,
      ]),
    )
    .option('--checks <globs>', 'comma-separated check ids or globs to run (EKS.ENDPOINT.*); default all')
    .option('--skip-checks <globs>', 'comma-separated check ids or globs not to run (adds to checks.disabled)')
    .option('--changed-only', 'show and write only findings that are new, regressed or resolved since the last scan')
    .option('--no-color', 'no colour (also NO_COLOR=1 or FORCE_COLOR=0)')
    .addOption(
      new Option('--log-level <level>', 'stderr detail: error, warn, info (progress) or debug').choices([
        ...LOG_LEVELS,
      ]),
    )
    .option('-q, --quiet', 'no progress output (like --log-level warn)')
    .addHelpText('after', EXIT_CODES_HELP)
    .option('--securityhub-account <id>', 'with --format asff: the Security Hub account the findings are imported into')
    .option('--securityhub-region <region>', 'with --format asff: the Security Hub region (ProductArn)')
    .option(
      '--cluster <ref>',
      'scan only this cluster and reconcile only its findings (repeatable): an EKS cluster ARN, an AKS resource id or a GKE cluster path',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--allow-unknown-regions', 'no warning for --regions missing from the known AWS region list (new regions)')
    .action(async (opts: ScanOptions) => {
      code = await scan(opts, io);
    });

  program
    .command('checks')
    .description('List the check catalogue')
    .addOption(new Option('-f, --format <format>', 'output').choices(['table', 'json']).default('table'))
    .addOption(new Option('--provider <cloud>', "only this cloud's checks").choices(Object.keys(PROVIDER_ALIASES)))
    .addOption(new Option('--severity <severity>', 'only checks at or above this severity').choices([...SEVERITIES]))
    .action((opts: { format: string; provider?: string; severity?: Severity }) => {
      code = listChecks(opts, io);
    });

  program
    .command('paths')
    .description('Print the access paths of a scan: who can become cluster-admin, what pods and nodes can become')
    .option('--sample', 'scan the bundled simulated fleet (no state kept) and print its paths')
    .option('--fleet <file>', 'scan a simulated fleet spec (YAML) instead of the sample')
    .option('-c, --config <file>', 'configuration file (YAML), with --sample or --fleet')
    .option('--report <file>', 'read the paths of a JSON report (report.json of `scan --out DIR`)')
    .option('--cluster <id>', 'only this cluster (EKS ARN, AKS resource id or GKE cluster path)')
    .addOption(new Option('-f, --format <format>', 'output').choices(['table', 'json']).default('table'))
    .action(async (opts: PathsOptions) => {
      code = await pathsCommand(opts, io, async (src) => {
        let json = '';
        const capture: CliIo = { ...io, stdout: { write: (s: string) => (json += s), isTTY: false } };
        const scanned = await scan(
          {
            ...src,
            state: false,
            format: 'json',
            quiet: true,
            slackSeverity: 'high',
            maxFailedTargets: DEFAULT_MAX_FAILED_TARGETS,
            color: false,
          },
          capture,
        );
        // A gate (targets that failed) still leaves a report worth showing; a runtime failure leaves none.
        return { code: scanned, json: scanned === EXIT.runtime ? '' : json };
      });
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
