// terraform/: fmt, validate and an offline plan whose JSON is asserted, plus structural
// checks of the HCL and of .github/workflows/terraform.yml that need no terraform.
//
// The plan runs in a temporary copy of terraform/ and groups/, with an override file
// that swaps the S3 backend for a local one and tells the aws provider to skip every
// call it makes at start-up (credential validation, account id lookup, metadata API).
// Dummy credentials come through the environment of the child process only, every AWS
// endpoint and proxy points at 127.0.0.1:9 and retries are off, so a call that slipped
// through fails at once on the loopback address instead of leaving the machine.
//
// Without a terraform binary or an aws provider mirror, validate/plan cannot run: the
// HCL checks still run and one line says what did not run and why; under CI that is a
// failure instead (test/support/tier.ts).

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  freePorts,
  type RunningProcess,
  startProcess,
  stopGroups,
  waitUntilReady,
} from '../stack/process.ts';
import { motoServerPath } from '../stack/tools.ts';
import { tierCannotRun } from '../support/tier.ts';

const repoRoot = resolve(import.meta.dirname, '../..');
const terraformDir = join(repoRoot, 'terraform');
const groupsDir = join(repoRoot, 'groups');
const workflowFile = join(repoRoot, '.github/workflows/terraform.yml');
const terraformBin = process.env.GREENLIGHT_TERRAFORM_BIN ?? 'terraform';
const pluginDir = process.env.GREENLIGHT_TF_PLUGIN_DIR ?? '/opt/tf-plugins';

// ---------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function obj(value: unknown, what: string): JsonObject {
  if (!isObject(value)) throw new Error(`${what}: expected an object, got ${JSON.stringify(value)}`);
  return value;
}

function arr(value: unknown, what: string): Json[] {
  if (!Array.isArray(value)) throw new Error(`${what}: expected an array, got ${JSON.stringify(value)}`);
  return value as Json[];
}

function str(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new Error(`${what}: expected a string, got ${JSON.stringify(value)}`);
  return value;
}

function strings(value: unknown, what: string): string[] {
  // IAM accepts a string or a list of strings wherever a list is allowed.
  if (typeof value === 'string') return [value];
  return arr(value, what).map((v, i) => str(v, `${what}[${i}]`));
}

interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs a command; rejects unless it exits with one of `okCodes` (default: 0). */
function run(
  file: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  okCodes: readonly number[] = [0],
): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      file,
      args,
      { cwd, env, maxBuffer: 256 * 1024 * 1024, timeout: 300_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        if (!okCodes.includes(code)) {
          const reason = error?.message ?? `exit code ${code}`;
          reject(new Error(`${file} ${args.join(' ')} failed in ${cwd}: ${reason}\n${stdout}\n${stderr}`));
          return;
        }
        resolvePromise({ stdout, stderr, code });
      },
    );
  });
}

/** IAM's StringLike: `*` any run of characters, `?` one character, case-sensitive. */
function iamStringLike(pattern: string, value: string): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`).test(value);
}

/** ECR's wildcard tag filters: `*` any run of characters. */
function ecrWildcard(filter: string, tag: string): boolean {
  return iamStringLike(filter.replace(/\?/g, '\\?'), tag);
}

// ---------------------------------------------------------------------------------
// ECR lifecycle evaluation, as AWS documents it: rules are applied by ascending
// priority; an image whose tags match a rule's selection belongs to that rule and can
// never be expired by a lower-priority rule; tagPrefixList matches when every prefix
// matches one of the image's tags; sinceImagePushed expires images older than N days,
// imageCountMoreThan keeps the newest N of the images the rule selects.
// ---------------------------------------------------------------------------------

interface RepoImage {
  id: string;
  tags: string[];
  pushedDaysAgo: number;
}

interface LifecycleRule {
  rulePriority: number;
  selection: {
    tagStatus: 'tagged' | 'untagged' | 'any';
    tagPrefixList?: string[];
    countType: 'imageCountMoreThan' | 'sinceImagePushed';
    countNumber: number;
  };
  action: { type: string };
}

function ruleSelects(rule: LifecycleRule, image: RepoImage): boolean {
  const { tagStatus, tagPrefixList } = rule.selection;
  if (tagStatus === 'any') return true;
  if (tagStatus === 'untagged') return image.tags.length === 0;
  if (image.tags.length === 0) return false;
  return (tagPrefixList ?? []).every((prefix) => image.tags.some((tag) => tag.startsWith(prefix)));
}

function expiredImages(rules: LifecycleRule[], images: RepoImage[]): string[] {
  const ordered = [...rules].sort((a, b) => a.rulePriority - b.rulePriority);
  const expired: string[] = [];
  for (const rule of ordered) {
    const owned = images.filter((image) => ordered.find((r) => ruleSelects(r, image)) === rule);
    if (rule.action.type !== 'expire') continue;
    if (rule.selection.countType === 'sinceImagePushed') {
      for (const image of owned) if (image.pushedDaysAgo > rule.selection.countNumber) expired.push(image.id);
    } else {
      const newestFirst = [...owned].sort((a, b) => a.pushedDaysAgo - b.pushedDaysAgo);
      for (const image of newestFirst.slice(rule.selection.countNumber)) expired.push(image.id);
    }
  }
  return expired.sort();
}

// ---------------------------------------------------------------------------------
// What the catalog and the group files say (read independently of Terraform).
// ---------------------------------------------------------------------------------

function isRegistryPath(repository: string): boolean {
  // Docker's rule: the first path segment names a registry when it has a '.' or ':'
  // or is "localhost".
  const slash = repository.indexOf('/');
  if (slash < 0) return false;
  const first = repository.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost';
}

async function groupDocuments(groups: string): Promise<JsonObject[]> {
  const documents: JsonObject[] = [];
  for (const file of (await readdir(groups)).sort()) {
    if (!/\.ya?ml$/.test(file) || /^services\.ya?ml$/.test(file)) continue;
    try {
      const doc = parseYaml(await readFile(join(groups, file), 'utf8'));
      if (isObject(doc)) documents.push(doc);
    } catch {
      // Terraform skips files it cannot read as YAML too (try(yamldecode(...))).
    }
  }
  return documents;
}

/** ECR repositories groups/ asks for: catalog services, integration-test and switch probe images. */
async function wantedEcrRepositories(groups: string): Promise<string[]> {
  const catalog = obj(parseYaml(await readFile(join(groups, 'services.yaml'), 'utf8')), 'services.yaml');
  const services = obj(catalog.services, 'services.yaml services');
  const repositories = Object.entries(services).map(([name, spec]) => {
    const repository = isObject(spec) ? spec.repository : undefined;
    return typeof repository === 'string' ? repository : name;
  });
  for (const doc of await groupDocuments(groups)) {
    const testImage = isObject(doc.integration) ? doc.integration.image : undefined;
    const probe = isObject(doc.promotion) ? doc.promotion.probe : undefined;
    const probeImage = isObject(probe) ? probe.image : undefined;
    for (const image of [testImage, probeImage]) {
      if (typeof image !== 'string') continue;
      const withoutDigest = image.split('@')[0] ?? image;
      const lastSlash = withoutDigest.lastIndexOf('/');
      const colon = withoutDigest.indexOf(':', lastSlash + 1);
      repositories.push(colon < 0 ? withoutDigest : withoutDigest.slice(0, colon));
    }
  }
  return [...new Set(repositories.filter((r) => !isRegistryPath(r)))].sort();
}

async function groupNamespaces(groups: string): Promise<string[]> {
  return (await groupDocuments(groups)).flatMap((doc) =>
    typeof doc.namespace === 'string' ? [doc.namespace] : [],
  );
}

// ---------------------------------------------------------------------------------
// Which case this machine is in.
// ---------------------------------------------------------------------------------

async function findTerraform(): Promise<{ ok: true; version: string } | { ok: false; reason: string }> {
  let version: string;
  try {
    const { stdout } = await run(terraformBin, ['version', '-json'], repoRoot, {
      PATH: process.env.PATH,
      CHECKPOINT_DISABLE: '1',
      TF_CLI_CONFIG_FILE: '/dev/null',
    });
    version = str(obj(JSON.parse(stdout), 'terraform version').terraform_version, 'terraform_version');
  } catch (error) {
    return {
      ok: false,
      reason: `no usable terraform binary (${terraformBin}): ${String(error).split('\n')[0]}`,
    };
  }
  const mirror = join(pluginDir, 'registry.terraform.io/hashicorp/aws');
  if (!existsSync(mirror)) {
    return {
      ok: false,
      reason: `terraform ${version} found, but no hashicorp/aws provider mirror at ${mirror} (set GREENLIGHT_TF_PLUGIN_DIR), and no registry is reachable`,
    };
  }
  return { ok: true, version };
}

const terraform = await findTerraform();
if (!terraform.ok) {
  tierCannotRun(
    'terraform.test: terraform validate and plan',
    `${terraform.reason}; only the HCL structure was checked`,
  );
}

// ---------------------------------------------------------------------------------
// The HCL itself (always runs; the only check when terraform is missing).
// ---------------------------------------------------------------------------------

interface Hcl2Json {
  parse(filename: string, contents: string): Promise<Record<string, unknown>>;
}

interface ParsedHcl {
  terraform: JsonObject[];
  locals: JsonObject;
  providers: Record<string, JsonObject[]>;
  variables: Record<string, JsonObject>;
  resources: Record<string, Record<string, JsonObject>>;
  /** Top-level block types seen, e.g. "data" or "module". */
  blockTypes: Set<string>;
}

/** Every .tf file in dir, merged the way Terraform merges the files of a module. */
async function parseHcl(dir: string): Promise<ParsedHcl> {
  // Loaded through require so its DOM-flavoured typings stay out of the program.
  const hcl = createRequire(import.meta.url)('@cdktf/hcl2json') as Hcl2Json;
  const merged: ParsedHcl = {
    terraform: [],
    locals: {},
    providers: {},
    variables: {},
    resources: {},
    blockTypes: new Set(),
  };
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.tf')).sort()) {
    const parsed = await hcl.parse(file, await readFile(join(dir, file), 'utf8'));
    for (const [blockType, body] of Object.entries(parsed)) {
      merged.blockTypes.add(blockType);
      if (blockType === 'terraform') {
        merged.terraform.push(...arr(body, file).map((b) => obj(b, `${file} terraform`)));
      } else if (blockType === 'locals') {
        for (const block of arr(body, file)) Object.assign(merged.locals, obj(block, `${file} locals`));
      } else if (blockType === 'provider') {
        for (const [name, blocks] of Object.entries(obj(body, file))) {
          merged.providers[name] = [
            ...(merged.providers[name] ?? []),
            ...arr(blocks, name).map((b) => obj(b, name)),
          ];
        }
      } else if (blockType === 'variable') {
        for (const [name, blocks] of Object.entries(obj(body, file))) {
          merged.variables[name] = obj(arr(blocks, name)[0], `variable ${name}`);
        }
      } else if (blockType === 'resource') {
        for (const [type, byName] of Object.entries(obj(body, file))) {
          const target = merged.resources[type] ?? {};
          for (const [name, blocks] of Object.entries(obj(byName, type))) {
            target[name] = obj(arr(blocks, `${type}.${name}`)[0], `${type}.${name}`);
          }
          merged.resources[type] = target;
        }
      }
    }
  }
  return merged;
}

function hclResource(hcl: ParsedHcl, type: string, name: string): JsonObject {
  return obj(hcl.resources[type]?.[name], `resource ${type}.${name}`);
}

function hclBlock(value: unknown, what: string): JsonObject {
  return obj(arr(value, what)[0], what);
}

/** How hcl2json renders an HCL expression: wrapped in an interpolation. */
function hclInterpolation(expression: string): string {
  return `\${${expression}}`;
}

function hclVariable(hcl: ParsedHcl, name: string): JsonObject {
  return obj(hcl.variables[name], `variable ${name}`);
}

/**
 * A working copy of terraform/ and groups/ (which the configuration reads) in `work`, without
 * local state, provider caches, backend settings or overrides, so tests never touch the repository.
 */
async function copyConfiguration(work: string): Promise<string> {
  const copy = join(work, 'terraform');
  await cp(terraformDir, copy, {
    recursive: true,
    filter: (source) =>
      !/(^|\/)(\.terraform|\.terraform\.lock\.hcl|[^/]*\.tfstate[^/]*|[^/]*\.tfvars|backend\.hcl|[^/]*override\.tf)$/.test(
        source.slice(terraformDir.length),
      ),
  });
  await cp(groupsDir, join(work, 'groups'), { recursive: true });
  return copy;
}

describe('terraform/ HCL structure', () => {
  let hcl: ParsedHcl;
  let sources: string;

  beforeAll(async () => {
    hcl = await parseHcl(terraformDir);
    const files = (await readdir(terraformDir)).filter((f) => f.endsWith('.tf'));
    sources = (await Promise.all(files.map((f) => readFile(join(terraformDir, f), 'utf8')))).join('\n');
  });

  it('uses only the hashicorp/aws provider, no registry modules, and no data sources', () => {
    expect(hcl.terraform).toHaveLength(1);
    const required = hclBlock((hcl.terraform[0] as JsonObject).required_providers, 'required_providers');
    expect(Object.keys(required)).toEqual(['aws']);
    expect(obj(required.aws, 'aws').source).toBe('hashicorp/aws');
    expect(Object.keys(hcl.providers)).toEqual(['aws']);
    expect(hcl.blockTypes.has('module')).toBe(false);
    // A data source would call AWS during plan; ARNs are built from the account id.
    expect(hcl.blockTypes.has('data')).toBe(false);
  });

  it('keeps state in S3 with S3-native locking', () => {
    const backend = obj((hcl.terraform[0] as JsonObject).backend, 'backend');
    expect(Object.keys(backend)).toEqual(['s3']);
    const s3 = hclBlock(backend.s3, 'backend s3');
    expect(s3.use_lockfile).toBe(true);
    expect(s3.dynamodb_table).toBeUndefined();
  });

  it('puts ten billing alarms on AWS/Billing EstimatedCharges through a us-east-1 provider', () => {
    const billing = (hcl.providers.aws ?? []).find((p) => p.alias === 'billing');
    expect(billing?.region).toBe('us-east-1');

    const alarm = hclResource(hcl, 'aws_cloudwatch_metric_alarm', 'billing');
    expect(alarm.provider).toBe(hclInterpolation('aws.billing'));
    expect(alarm.namespace).toBe('AWS/Billing');
    expect(alarm.metric_name).toBe('EstimatedCharges');
    expect(alarm.statistic).toBe('Maximum');
    expect(alarm.period).toBe(21600);
    expect(alarm.dimensions).toEqual({ Currency: 'USD' });
    expect(str(alarm.for_each, 'for_each')).toContain('var.billing_alarm_thresholds_usd');
    expect(hclVariable(hcl, 'billing_alarm_thresholds_usd').default).toEqual([
      10, 20, 30, 40, 50, 60, 70, 80, 90, 100,
    ]);
  });

  it('derives ECR repositories from groups/services.yaml and asks for IMMUTABLE_WITH_EXCLUSION', () => {
    expect(hcl.locals.groups_dir).toBe(`${hclInterpolation('path.module')}/../groups`);
    expect(hcl.locals.catalog_file).toBe(`${hclInterpolation('local.groups_dir')}/services.yaml`);
    expect(str(hcl.locals.catalog, 'catalog')).toContain('yamldecode(file(local.catalog_file))');
    const repository = hclResource(hcl, 'aws_ecr_repository', 'this');
    expect(repository.for_each).toBe(hclInterpolation('local.ecr_repositories'));
    expect(hclBlock(repository.image_scanning_configuration, 'scanning').scan_on_push).toBe(true);
    const mutability = hclResource(hcl, 'terraform_data', 'ecr_tag_mutability');
    expect(obj(mutability.input, 'input').image_tag_mutability).toBe('IMMUTABLE_WITH_EXCLUSION');
    expect(hclVariable(hcl, 'ecr_mutable_tag_filters').default).toEqual(['branch-*']);
  });

  it('trusts GitHub OIDC tokens by audience and subject only', () => {
    const role = hclResource(hcl, 'aws_iam_role', 'deploy');
    const trust = str(role.assume_role_policy, 'assume_role_policy');
    expect(trust).toContain('sts:AssumeRoleWithWebIdentity');
    expect(trust).toMatch(
      /StringEquals\s*=\s*\{\s*"\$\{local\.github_oidc_url\}:aud"\s*=\s*"sts\.amazonaws\.com"/,
    );
    expect(trust).toMatch(
      /StringLike\s*=\s*\{\s*"\$\{local\.github_oidc_url\}:sub"\s*=\s*local\.github_subjects/,
    );
  });

  it('has no NAT gateway unless enable_nat_gateway is set', () => {
    expect(hclVariable(hcl, 'enable_nat_gateway').default).toBe(false);
    expect(hclResource(hcl, 'aws_nat_gateway', 'this').count).toBe(
      hclInterpolation('var.enable_nat_gateway ? 1 : 0'),
    );
  });

  it('uses nothing that changes between two applies (timestamps, random values)', () => {
    expect(sources).not.toMatch(/\b(timestamp|plantimestamp|uuid|uuidv5|bcrypt)\s*\(/);
    expect(sources).not.toMatch(/resource\s+"(random|time)_/);
  });
});

// ---------------------------------------------------------------------------------
// The workflow.
// ---------------------------------------------------------------------------------

describe('.github/workflows/terraform.yml', () => {
  let workflow: JsonObject;
  let jobs: JsonObject;

  beforeAll(async () => {
    workflow = obj(parseYaml(await readFile(workflowFile, 'utf8')), 'workflow');
    jobs = obj(workflow.jobs, 'jobs');
  });

  it('plans on pull requests touching terraform/ and applies only by hand', () => {
    const on = obj(workflow.on, 'on');
    expect(Object.keys(on).sort()).toEqual(['pull_request', 'workflow_dispatch']);
    expect(strings(obj(on.pull_request, 'pull_request').paths, 'paths')).toContain('terraform/**');
    const apply = obj(jobs.apply, 'apply');
    expect(str(apply.if, 'apply.if')).toContain("github.event_name == 'workflow_dispatch'");
    expect(apply.environment).toBe('terraform');
    const applySteps = arr(apply.steps, 'apply.steps').map((s) => obj(s, 'step'));
    expect(applySteps.some((s) => typeof s.run === 'string' && /terraform apply\b/.test(s.run))).toBe(true);
    for (const [name, job] of Object.entries(jobs)) {
      if (name === 'apply') continue;
      const steps = arr(obj(job, name).steps, `${name}.steps`).map((s) => obj(s, 'step'));
      expect(steps.some((s) => typeof s.run === 'string' && /terraform apply\b/.test(s.run))).toBe(false);
    }
  });

  it('gives every job its own least-privilege permissions', () => {
    expect(workflow.permissions).toEqual({});
    for (const [name, value] of Object.entries(jobs)) {
      const job = obj(value, name);
      const permissions = obj(job.permissions, `${name}.permissions`);
      const usesAws = arr(job.steps, `${name}.steps`).some((s) =>
        String(obj(s, 'step').uses ?? '').startsWith('aws-actions/configure-aws-credentials@'),
      );
      expect(permissions).toEqual(usesAws ? { contents: 'read', 'id-token': 'write' } : { contents: 'read' });
    }
  });

  it('never expands GitHub expressions inside run: (values go through env:)', () => {
    for (const [name, value] of Object.entries(jobs)) {
      for (const step of arr(obj(value, name).steps, `${name}.steps`)) {
        const script = obj(step, 'step').run;
        if (typeof script === 'string') expect(script, `${name}: ${script}`).not.toContain('${{');
      }
    }
  });

  it('runs one apply at a time and never cancels a running one', () => {
    const concurrency = obj(obj(jobs.apply, 'apply').concurrency, 'apply.concurrency');
    expect(concurrency.group).toBe('terraform-apply');
    expect(concurrency['cancel-in-progress']).toBe(false);
  });
});

// ---------------------------------------------------------------------------------
// fmt, validate and the offline plans.
// ---------------------------------------------------------------------------------

interface PlannedResource {
  address: string;
  type: string;
  name: string;
  index?: string | number;
  values: JsonObject;
}

interface Plan {
  resources: PlannedResource[];
  json: JsonObject;
}

function plannedResources(plan: JsonObject): PlannedResource[] {
  const root = obj(obj(plan.planned_values, 'planned_values').root_module, 'root_module');
  expect(root.child_modules ?? []).toEqual([]);
  return arr(root.resources, 'resources').map((r) => {
    const resource = obj(r, 'resource');
    return {
      address: str(resource.address, 'address'),
      type: str(resource.type, 'type'),
      name: str(resource.name, 'name'),
      values: obj(resource.values, 'values'),
      ...(typeof resource.index === 'string' || typeof resource.index === 'number'
        ? { index: resource.index }
        : {}),
    };
  });
}

function ofType(plan: Plan, type: string): PlannedResource[] {
  return plan.resources.filter((r) => r.type === type);
}

function one(plan: Plan, address: string): PlannedResource {
  const found = plan.resources.filter((r) => r.address === address);
  expect(found.map((r) => r.address)).toEqual([address]);
  return found[0] as PlannedResource;
}

function variableValue(plan: Plan, name: string): Json {
  return obj(obj(plan.json.variables, 'variables')[name], `variables.${name}`).value ?? null;
}

function configResource(plan: Plan, address: string): JsonObject {
  const configuration = obj(plan.json.configuration, 'configuration');
  const resources = arr(obj(configuration.root_module, 'root_module').resources, 'configuration resources');
  const found = resources.map((r) => obj(r, 'resource')).find((r) => r.address === address);
  return obj(found, `configuration of ${address}`);
}

const accountId = '123456789012';
const testRepositories = [
  { repository: 'acme/deployments', branches: ['main', 'release/*'], environments: ['production'] },
  { repository: 'acme/hello-a', branches: ['*'], pull_requests: true },
];

describe.runIf(terraform.ok)('terraform fmt, validate and offline plan', () => {
  let work = '';
  let env: NodeJS.ProcessEnv = {};
  let workTerraform = '';
  let defaults: Plan;
  let withNat: Plan;

  async function plan(name: string, extraArgs: string[]): Promise<Plan> {
    const planFile = `${name}.tfplan`;
    await run(
      terraformBin,
      [
        'plan',
        '-input=false',
        '-lock=false',
        '-var-file=offline-test.tfvars.json',
        `-out=${planFile}`,
        ...extraArgs,
      ],
      workTerraform,
      env,
    );
    const { stdout } = await run(terraformBin, ['show', '-json', planFile], workTerraform, env);
    const json = obj(JSON.parse(stdout), 'plan');
    return { json, resources: plannedResources(json) };
  }

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'greenlight-terraform-'));
    const home = join(work, 'home');
    await mkdir(home);
    await writeFile(join(work, 'terraformrc'), '');
    await writeFile(join(work, 'aws-config'), '');
    const nowhere = 'http://127.0.0.1:9';
    env = {
      PATH: process.env.PATH,
      HOME: home,
      TMPDIR: process.env.TMPDIR ?? tmpdir(),
      TF_CLI_CONFIG_FILE: join(work, 'terraformrc'),
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      CHECKPOINT_DISABLE: '1',
      AWS_ACCESS_KEY_ID: 'AKIAOFFLINEPLANTEST0',
      AWS_SECRET_ACCESS_KEY: 'offline-plan-dummy-secret-not-a-credential',
      AWS_CONFIG_FILE: join(work, 'aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(work, 'aws-config'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_MAX_ATTEMPTS: '1',
      AWS_ENDPOINT_URL: nowhere,
      HTTPS_PROXY: nowhere,
      HTTP_PROXY: nowhere,
      https_proxy: nowhere,
      http_proxy: nowhere,
      NO_PROXY: '',
      no_proxy: '',
    };

    // fmt on the real directory (it only reads with -check).
    await run(
      terraformBin,
      ['fmt', '-check', '-recursive', '-diff', '-no-color', terraformDir],
      repoRoot,
      env,
    );

    workTerraform = await copyConfiguration(work);

    await run(
      terraformBin,
      ['init', '-input=false', '-no-color', '-backend=false', `-plugin-dir=${pluginDir}`],
      workTerraform,
      env,
    );
    const validate = obj(
      JSON.parse((await run(terraformBin, ['validate', '-json', '-no-color'], workTerraform, env)).stdout),
      'validate',
    );
    expect(validate.valid, JSON.stringify(validate.diagnostics)).toBe(true);
    expect(validate.error_count).toBe(0);

    // From here on: a local backend and a provider that makes no call at start-up.
    const offlineProvider = `
  allowed_account_ids         = null
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  max_retries                 = 1
`;
    await writeFile(
      join(workTerraform, 'zz_offline_test_override.tf'),
      `terraform {\n  backend "local" {}\n}\n\nprovider "aws" {${offlineProvider}}\n\nprovider "aws" {\n  alias = "billing"${offlineProvider}}\n`,
    );
    await writeFile(
      join(workTerraform, 'offline-test.tfvars.json'),
      JSON.stringify({
        aws_account_id: accountId,
        billing_alert_email: 'billing-alerts@example.com',
        github_repositories: testRepositories,
        deploy_namespaces: ['greenlight'],
      }),
    );
    await run(
      terraformBin,
      ['init', '-input=false', '-no-color', '-reconfigure', `-plugin-dir=${pluginDir}`],
      workTerraform,
      env,
    );
    defaults = await plan('defaults', []);

    // Second plan: NAT gateway and spot nodes on, and a catalog and groups that grew
    // (a service in an ECR namespace, one in another registry, a group with its own
    // namespace): the plan follows without any Terraform edit.
    const servicesFile = join(work, 'groups', 'services.yaml');
    const catalog = obj(parseYaml(await readFile(servicesFile, 'utf8')), 'services.yaml');
    const services = obj(catalog.services, 'services');
    services['extra-svc'] = { repository: 'team/extra-svc', port: 8080 };
    services.elsewhere = { repository: 'ghcr.io/acme/elsewhere', port: 8080 };
    await writeFile(servicesFile, JSON.stringify(catalog));
    await writeFile(
      join(work, 'groups', 'zz-offline-test-group.yaml'),
      'namespace: team-preview\nintegration:\n  image: team/preview-tests:v1.2\n',
    );
    await writeFile(
      join(work, 'groups', 'zz-offline-test-other.yaml'),
      `namespace: team-other\nintegration:\n  image: registry.example.com:5000/x/tests@sha256:${'ab'.repeat(32)}\n`,
    );
    withNat = await plan('nat', ['-var=enable_nat_gateway=true', '-var=node_spot=true']);
  });

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('has exactly ten billing alarms, $10 to $100, on the right metric, in us-east-1', () => {
    const alarms = ofType(defaults, 'aws_cloudwatch_metric_alarm');
    expect(alarms).toHaveLength(10);
    expect(alarms.map((a) => a.values.threshold).sort((a, b) => Number(a) - Number(b))).toEqual([
      10, 20, 30, 40, 50, 60, 70, 80, 90, 100,
    ]);
    for (const alarm of alarms) {
      expect(alarm.values).toMatchObject({
        namespace: 'AWS/Billing',
        metric_name: 'EstimatedCharges',
        statistic: 'Maximum',
        period: 21600,
        dimensions: { Currency: 'USD' },
        comparison_operator: 'GreaterThanOrEqualToThreshold',
        evaluation_periods: 1,
      });
    }
    expect(new Set(alarms.map((a) => a.values.alarm_name)).size).toBe(10);

    // They and their topic are created through the us-east-1 provider and notify it.
    const configuration = obj(defaults.json.configuration, 'configuration');
    const billingProvider = obj(
      obj(configuration.provider_config, 'provider_config')['aws.billing'],
      'aws.billing',
    );
    expect(obj(obj(billingProvider.expressions, 'expressions').region, 'region').constant_value).toBe(
      'us-east-1',
    );
    for (const address of [
      'aws_cloudwatch_metric_alarm.billing',
      'aws_sns_topic.billing',
      'aws_sns_topic_subscription.billing_email',
    ]) {
      expect(configResource(defaults, address).provider_config_key).toBe('aws.billing');
    }
    const actions = obj(
      obj(configResource(defaults, 'aws_cloudwatch_metric_alarm.billing').expressions, 'e').alarm_actions,
      'a',
    );
    expect(strings(actions.references, 'references')).toContain('aws_sns_topic.billing.arn');
    expect(one(defaults, 'aws_sns_topic_subscription.billing_email').values.protocol).toBe('email');
    // Budgets are off unless asked for.
    expect(ofType(defaults, 'aws_budgets_budget')).toHaveLength(0);
  });

  it('has one ECR repository per catalog service (plus the extra ones), scanned on push', async () => {
    const expected = await wantedEcrRepositories(groupsDir);
    expect(expected.length).toBeGreaterThan(0);
    const extra = strings(variableValue(defaults, 'extra_ecr_repositories'), 'extra_ecr_repositories');
    const repositories = ofType(defaults, 'aws_ecr_repository');
    expect(repositories.map((r) => r.values.name).sort()).toEqual(
      [...new Set([...expected, ...extra])].sort(),
    );
    for (const repository of repositories) {
      expect(repository.values.image_scanning_configuration).toEqual([{ scan_on_push: true }]);
      // Created IMMUTABLE; the exclusion is applied right after (next test).
      expect(repository.values.image_tag_mutability).toBe('IMMUTABLE');
    }

    // The grown catalog: the new ECR service appears, the other registry's does not.
    const grown = ofType(withNat, 'aws_ecr_repository').map((r) => r.values.name);
    expect(grown).toContain('team/extra-svc');
    expect(grown).toContain('team/preview-tests');
    expect(
      grown.some((name) => String(name).includes('example.com') || String(name).includes('elsewhere')),
    ).toBe(false);
    expect(grown.sort()).toEqual(
      [...new Set([...(await wantedEcrRepositories(join(work, 'groups'))), ...extra])].sort(),
    );
  });

  it('makes SHA tags immutable and last-good tags mutable in every repository', () => {
    const names = ofType(defaults, 'aws_ecr_repository').map((r) => String(r.values.name));
    const switches = ofType(defaults, 'terraform_data').filter((r) => r.name === 'ecr_tag_mutability');
    expect(switches.map((s) => obj(s.values.input, 'input').repository).sort()).toEqual([...names].sort());
    for (const change of switches) {
      const input = obj(change.values.input, 'input');
      expect(input.image_tag_mutability).toBe('IMMUTABLE_WITH_EXCLUSION');
      expect(input.registry_id).toBe(accountId);
      const filters = arr(input.exclusion_filters, 'exclusion_filters').map((f) => obj(f, 'filter'));
      expect(filters.length).toBeGreaterThan(0);
      for (const filter of filters) {
        expect(filter.filterType).toBe('WILDCARD');
        expect(str(filter.filter, 'filter')).toMatch(/^[0-9a-zA-Z._*-]{1,128}$/);
      }
      const mutable = (tag: string) => filters.some((f) => ecrWildcard(String(f.filter), tag));
      expect(mutable('branch-main')).toBe(true);
      expect(mutable('branch-feature-login-3f2a9c1')).toBe(true);
      expect(mutable(`sha-${'0123456789abcdef0123'.repeat(2)}`)).toBe(false);
    }
    // The switch is the AWS CLI call that provider 5.100.0 cannot make itself.
    const provisioner = obj(
      arr(configResource(defaults, 'terraform_data.ecr_tag_mutability').provisioners, 'provisioners')[0],
      'provisioner',
    );
    expect(provisioner.type).toBe('local-exec');
    const command = str(
      obj(obj(provisioner.expressions, 'expressions').command, 'command').constant_value,
      'command',
    );
    expect(command).toMatch(/^aws ecr put-image-tag-mutability /);
    expect(command).toContain('--image-tag-mutability-exclusion-filters "$FILTERS"');
  });

  it('keeps images carrying a last-good tag and expires untagged and old SHA-only images', () => {
    const names = ofType(defaults, 'aws_ecr_repository').map((r) => r.values.name);
    const policies = ofType(defaults, 'aws_ecr_lifecycle_policy');
    expect(policies.map((p) => p.values.repository).sort()).toEqual([...names].sort());
    for (const policy of policies) {
      const rules = arr(
        obj(JSON.parse(str(policy.values.policy, 'policy')), 'policy').rules,
        'rules',
      ) as unknown as LifecycleRule[];
      const sha = 'sha-0123456789abcdef0123456789abcdef01234567';
      const images: RepoImage[] = [
        { id: 'old-last-good', tags: ['sha-aaaa', 'branch-master'], pushedDaysAgo: 900 },
        {
          id: 'old-last-good-two-tags',
          tags: ['branch-feature-x', 'branch-feature-y', 'sha-bbbb'],
          pushedDaysAgo: 400,
        },
        { id: 'old-sha-only', tags: ['sha-cccc'], pushedDaysAgo: 400 },
        { id: 'recent-sha-only', tags: [sha], pushedDaysAgo: 2 },
        { id: 'old-untagged', tags: [], pushedDaysAgo: 30 },
        { id: 'fresh-untagged', tags: [], pushedDaysAgo: 0 },
        { id: 'hand-tagged', tags: ['v1.2.3'], pushedDaysAgo: 900 },
      ];
      // Many branches: each last-good image is a separate image to count.
      for (let i = 0; i < 500; i += 1)
        images.push({ id: `lg-${i}`, tags: [`branch-b${i}`, `sha-${i}`], pushedDaysAgo: 1000 });
      expect(expiredImages(rules, images)).toEqual(['old-sha-only', 'old-untagged']);
    }
  });

  it("trusts only the named repositories' refs and environments, for the sts.amazonaws.com audience", () => {
    const oidcArn = `arn:aws:iam::${accountId}:oidc-provider/token.actions.githubusercontent.com`;
    const provider = one(defaults, 'aws_iam_openid_connect_provider.github[0]');
    expect(provider.values.url).toBe('https://token.actions.githubusercontent.com');
    expect(provider.values.client_id_list).toEqual(['sts.amazonaws.com']);

    const trust = obj(
      JSON.parse(str(one(defaults, 'aws_iam_role.deploy').values.assume_role_policy, 'trust')),
      'trust',
    );
    const statements = arr(trust.Statement, 'Statement').map((s) => obj(s, 'statement'));
    expect(statements).toHaveLength(1);
    const statement = statements[0] as JsonObject;
    expect(statement.Effect).toBe('Allow');
    expect(strings(statement.Action, 'Action')).toEqual(['sts:AssumeRoleWithWebIdentity']);
    expect(statement.Principal).toEqual({ Federated: oidcArn });
    const condition = obj(statement.Condition, 'Condition');
    expect(Object.keys(condition).sort()).toEqual(['StringEquals', 'StringLike']);
    expect(condition.StringEquals).toEqual({
      'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
    });
    const stringLike = obj(condition.StringLike, 'StringLike');
    expect(Object.keys(stringLike)).toEqual(['token.actions.githubusercontent.com:sub']);
    const subjects = strings(stringLike['token.actions.githubusercontent.com:sub'], 'sub');
    expect([...subjects].sort()).toEqual(
      [
        'repo:acme/deployments:ref:refs/heads/main',
        'repo:acme/deployments:ref:refs/heads/release/*',
        'repo:acme/deployments:environment:production',
        'repo:acme/hello-a:ref:refs/heads/*',
        'repo:acme/hello-a:pull_request',
      ].sort(),
    );

    const allowed = (sub: string) => subjects.some((pattern) => iamStringLike(pattern, sub));
    expect(allowed('repo:acme/deployments:ref:refs/heads/main')).toBe(true);
    expect(allowed('repo:acme/deployments:ref:refs/heads/release/2026.11')).toBe(true);
    expect(allowed('repo:acme/deployments:environment:production')).toBe(true);
    expect(allowed('repo:acme/hello-a:ref:refs/heads/feature/any-thing')).toBe(true);
    expect(allowed('repo:acme/deployments:ref:refs/heads/feature-x')).toBe(false);
    expect(allowed('repo:acme/deployments:pull_request')).toBe(false);
    expect(allowed('repo:acme/deployments:environment:staging')).toBe(false);
    expect(allowed('repo:acme/deployments:ref:refs/tags/v1')).toBe(false);
    expect(allowed('repo:evil/deployments:ref:refs/heads/main')).toBe(false);
    expect(allowed('repo:acme/hello-b:ref:refs/heads/main')).toBe(false);
  });

  it('lets the deploy role push and pull these repositories and describe this cluster, nothing else', () => {
    const region = str(variableValue(defaults, 'region'), 'region');
    const clusterName = str(one(defaults, 'aws_eks_cluster.this').values.name, 'cluster name');
    const repositoryArns = ofType(defaults, 'aws_ecr_repository')
      .map((r) => `arn:aws:ecr:${region}:${accountId}:repository/${String(r.values.name)}`)
      .sort();
    const policy = obj(
      JSON.parse(str(one(defaults, 'aws_iam_role_policy.deploy').values.policy, 'policy')),
      'policy',
    );
    const statements = arr(policy.Statement, 'Statement').map((s) => obj(s, 'statement'));
    expect(
      statements.every(
        (s) => s.Effect === 'Allow' && s.NotAction === undefined && s.NotResource === undefined,
      ),
    ).toBe(true);

    const grants = statements.flatMap((s) =>
      strings(s.Action, 'Action').map((action) => ({
        action,
        resources: strings(s.Resource, 'Resource').sort(),
      })),
    );
    const byAction = new Map(grants.map((g) => [g.action, g.resources]));
    expect(grants).toHaveLength(byAction.size);
    expect([...byAction.keys()].sort()).toEqual(
      [
        'ecr:GetAuthorizationToken',
        'ecr:BatchCheckLayerAvailability',
        'ecr:BatchGetImage',
        'ecr:CompleteLayerUpload',
        'ecr:DescribeImages',
        'ecr:DescribeRepositories',
        'ecr:GetDownloadUrlForLayer',
        'ecr:InitiateLayerUpload',
        'ecr:ListImages',
        'ecr:PutImage',
        'ecr:UploadLayerPart',
        'eks:DescribeCluster',
      ].sort(),
    );
    for (const { action, resources } of grants) {
      if (action === 'ecr:GetAuthorizationToken') expect(resources).toEqual(['*']);
      else if (action === 'eks:DescribeCluster')
        expect(resources).toEqual([`arn:aws:eks:${region}:${accountId}:cluster/${clusterName}`]);
      else expect(resources, action).toEqual(repositoryArns);
    }
  });

  it('gives the deploy role edit rights in its namespaces only (the variable plus every group file)', async () => {
    const association = one(defaults, 'aws_eks_access_policy_association.deploy[0]');
    expect(association.values.policy_arn).toBe('arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy');
    const expected = [...new Set(['greenlight', ...(await groupNamespaces(groupsDir))])].sort();
    expect(association.values.access_scope).toEqual([{ type: 'namespace', namespaces: expected }]);
    // A new group file brings its namespace along.
    const grown = one(withNat, 'aws_eks_access_policy_association.deploy[0]');
    expect(grown.values.access_scope).toEqual([
      { type: 'namespace', namespaces: [...new Set([...expected, 'team-other', 'team-preview'])].sort() },
    ]);

    const cluster = one(defaults, 'aws_eks_cluster.this').values;
    expect(cluster.version).toBe(variableValue(defaults, 'kubernetes_version'));
    expect(cluster.access_config).toEqual([
      { authentication_mode: 'API', bootstrap_cluster_creator_admin_permissions: false },
    ]);
    const addons = ofType(defaults, 'aws_eks_addon').map((a) => a.values.addon_name);
    expect(addons).toEqual(
      expect.arrayContaining(['vpc-cni', 'coredns', 'kube-proxy', 'eks-pod-identity-agent']),
    );
  });

  it('has public subnets in two zones and no NAT gateway by default; one NAT gateway when asked', () => {
    const publicSubnets = ofType(defaults, 'aws_subnet').filter((s) => s.name === 'public');
    expect(publicSubnets).toHaveLength(2);
    expect(new Set(publicSubnets.map((s) => s.values.availability_zone)).size).toBe(2);
    expect(publicSubnets.every((s) => s.values.map_public_ip_on_launch === true)).toBe(true);
    expect(ofType(defaults, 'aws_nat_gateway')).toHaveLength(0);
    expect(ofType(defaults, 'aws_eip')).toHaveLength(0);
    expect(ofType(defaults, 'aws_subnet').filter((s) => s.name === 'private')).toHaveLength(0);
    expect(one(defaults, 'aws_eks_node_group.default').values.capacity_type).toBe('ON_DEMAND');

    expect(ofType(withNat, 'aws_nat_gateway')).toHaveLength(1);
    expect(ofType(withNat, 'aws_eip')).toHaveLength(1);
    const privateSubnets = ofType(withNat, 'aws_subnet').filter((s) => s.name === 'private');
    expect(privateSubnets).toHaveLength(2);
    expect(privateSubnets.every((s) => s.values.map_public_ip_on_launch !== true)).toBe(true);
    expect(one(withNat, 'aws_route.private_nat[0]').values.destination_cidr_block).toBe('0.0.0.0/0');
    expect(one(withNat, 'aws_eks_node_group.default').values.capacity_type).toBe('SPOT');
    // Turning NAT on moves the nodes, not the control plane.
    const nodeSubnets = obj(
      obj(configResource(withNat, 'aws_eks_node_group.default').expressions, 'expressions').subnet_ids,
      'subnet_ids',
    );
    expect(strings(nodeSubnets.references, 'references')).toContain('local.node_subnet_ids');
  });

  it('outputs the cluster, the repositories, the role and the kubeconfig command', () => {
    const outputs = obj(defaults.json.output_changes, 'output_changes');
    for (const name of [
      'cluster_name',
      'cluster_endpoint',
      'ecr_repository_urls',
      'deploy_role_arn',
      'kubeconfig_command',
    ]) {
      expect(outputs[name], name).toBeDefined();
    }
    const region = str(variableValue(defaults, 'region'), 'region');
    const clusterName = str(one(defaults, 'aws_eks_cluster.this').values.name, 'cluster name');
    expect(obj(outputs.kubeconfig_command, 'kubeconfig_command').after).toBe(
      `aws eks update-kubeconfig --region ${region} --name ${clusterName}`,
    );
  });

  it('left nothing behind in the repository', () => {
    expect(existsSync(join(terraformDir, '.terraform'))).toBe(false);
    expect(basename(workTerraform)).toBe('terraform');
  });
});

// ---------------------------------------------------------------------------------
// Apply, then plan again, against moto (AWS's APIs emulated on 127.0.0.1): what
// "applying twice changes nothing" means, for every resource moto emulates faithfully.
// Not the EKS cluster, node group, add-ons and access entries: moto drops fields of
// the EKS API (access_config, upgrade_policy), so its second plan would show drift
// that real EKS does not have.
// ---------------------------------------------------------------------------------

const motoTargets = [
  'aws_vpc.this',
  'aws_internet_gateway.this',
  'aws_subnet.public',
  'aws_route_table.public',
  'aws_route.public_internet',
  'aws_route_table_association.public',
  'aws_subnet.private',
  'aws_eip.nat',
  'aws_nat_gateway.this',
  'aws_route_table.private',
  'aws_route.private_nat',
  'aws_route_table_association.private',
  'aws_iam_role.cluster',
  'aws_iam_role_policy_attachment.cluster',
  'aws_iam_role.node',
  'aws_iam_role_policy_attachment.node',
  'aws_iam_policy.console_viewer',
  'aws_ecr_repository.this',
  'terraform_data.ecr_tag_mutability',
  'aws_ecr_lifecycle_policy.this',
  'aws_iam_openid_connect_provider.github',
  'aws_iam_role.deploy',
  'aws_iam_role_policy.deploy',
  'aws_sns_topic.billing',
  'aws_sns_topic_subscription.billing_email',
  'aws_cloudwatch_metric_alarm.billing',
];

/** Why the moto apply cannot run here, or null when it can. */
async function motoApplyUnavailable(): Promise<string | null> {
  if (!terraform.ok) return 'terraform is not available';
  try {
    motoServerPath();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  try {
    const { stdout } = await run(
      'aws',
      ['ecr', 'put-image-tag-mutability', '--generate-cli-skeleton'],
      repoRoot,
      {
        ...process.env,
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      },
    );
    if (!stdout.includes('imageTagMutabilityExclusionFilters')) {
      return 'the AWS CLI on PATH is too old for --image-tag-mutability-exclusion-filters';
    }
  } catch (error) {
    return `no usable AWS CLI on PATH (terraform/ecr.tf runs it): ${String(error).split('\n')[0]}`;
  }
  return null;
}

const motoUnavailable = await motoApplyUnavailable();
if (terraform.ok && motoUnavailable !== null) {
  tierCannotRun('terraform.test: the apply-twice check against moto', motoUnavailable);
}

describe.runIf(motoUnavailable === null)('terraform apply against moto, twice', () => {
  let work = '';
  let moto: RunningProcess | undefined;
  let env: NodeJS.ProcessEnv = {};
  let workTerraform = '';
  let secondPlan: RunResult;
  const aws = (args: string[]) => run('aws', [...args, '--output', 'json'], work, env);

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'greenlight-terraform-moto-'));
    const [port] = await freePorts(1);
    const endpoint = `http://127.0.0.1:${String(port)}`;
    moto = startProcess({
      name: 'moto_server',
      command: motoServerPath(),
      args: ['-H', '127.0.0.1', '-p', String(port)],
      log: join(work, 'moto.log'),
      cwd: work,
      // The AWS managed policies the node and cluster roles attach.
      env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' },
    });
    await waitUntilReady(
      moto,
      'answering HTTP',
      async () => (await fetch(`${endpoint}/`, { signal: AbortSignal.timeout(2000) })).status < 500,
      60_000,
    );

    await writeFile(join(work, 'terraformrc'), '');
    await writeFile(join(work, 'aws-config'), '');
    const nowhere = 'http://127.0.0.1:9';
    env = {
      // PATH and HOME as they are: the AWS CLI may be a pyenv shim that needs them.
      ...Object.fromEntries(
        Object.entries(process.env).filter(([k]) => k === 'PATH' || k === 'HOME' || k.startsWith('PYENV')),
      ),
      TF_CLI_CONFIG_FILE: join(work, 'terraformrc'),
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      CHECKPOINT_DISABLE: '1',
      AWS_ACCESS_KEY_ID: 'motoaccesskey',
      AWS_SECRET_ACCESS_KEY: 'motosecretkey',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_CONFIG_FILE: join(work, 'aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(work, 'aws-config'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_MAX_ATTEMPTS: '2',
      // Every AWS API (the provider's and the CLI's) goes to moto; anything else
      // would go through a proxy that does not exist.
      AWS_ENDPOINT_URL: endpoint,
      HTTPS_PROXY: nowhere,
      HTTP_PROXY: nowhere,
      https_proxy: nowhere,
      http_proxy: nowhere,
      NO_PROXY: '127.0.0.1',
      no_proxy: '127.0.0.1',
    };

    workTerraform = await copyConfiguration(work);
    // Only the backend changes: the provider asks moto's STS who it is (moto's
    // account is 123456789012, which allowed_account_ids must accept).
    await writeFile(
      join(workTerraform, 'zz_moto_test_override.tf'),
      'terraform {\n  backend "local" {}\n}\n\nprovider "aws" {\n  skip_metadata_api_check = true\n}\n\nprovider "aws" {\n  alias                   = "billing"\n  skip_metadata_api_check = true\n}\n',
    );
    await writeFile(
      join(workTerraform, 'moto-test.tfvars.json'),
      JSON.stringify({
        aws_account_id: accountId,
        billing_alert_email: 'billing-alerts@example.com',
        github_repositories: testRepositories,
        deploy_namespaces: ['greenlight'],
        enable_nat_gateway: true,
      }),
    );
    await run(
      terraformBin,
      ['init', '-input=false', '-no-color', `-plugin-dir=${pluginDir}`],
      workTerraform,
      env,
    );
    const targets = motoTargets.map((t) => `-target=${t}`);
    const common = ['-input=false', '-no-color', '-var-file=moto-test.tfvars.json', ...targets];
    await run(terraformBin, ['apply', '-auto-approve', ...common], workTerraform, env);
    // -detailed-exitcode: 0 = no changes, 2 = changes; the assertion below says which.
    secondPlan = await run(
      terraformBin,
      ['plan', '-detailed-exitcode', ...common],
      workTerraform,
      env,
      [0, 2],
    );
  });

  afterAll(async () => {
    if (moto) await stopGroups([moto.pid]);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('plans no change after the first apply', () => {
    expect(secondPlan.stdout).toContain('No changes.');
    expect(secondPlan.code, secondPlan.stdout).toBe(0);
  });

  it('left every repository IMMUTABLE_WITH_EXCLUSION for the last-good tags, scanned on push', async () => {
    const expected = await wantedEcrRepositories(groupsDir);
    const described = obj(
      JSON.parse((await aws(['ecr', 'describe-repositories', '--region', 'eu-west-1'])).stdout),
      'ecr',
    );
    const repositories = arr(described.repositories, 'repositories').map((r) => obj(r, 'repository'));
    expect(repositories.map((r) => r.repositoryName).sort()).toEqual(expected);
    for (const repository of repositories) {
      expect(repository.imageTagMutability).toBe('IMMUTABLE_WITH_EXCLUSION');
      expect(repository.imageTagMutabilityExclusionFilters).toEqual([
        { filterType: 'WILDCARD', filter: 'branch-*' },
      ]);
      expect(repository.imageScanningConfiguration).toEqual({ scanOnPush: true });
      const lifecycle = obj(
        JSON.parse(
          (
            await aws([
              'ecr',
              'get-lifecycle-policy',
              '--region',
              'eu-west-1',
              '--repository-name',
              String(repository.repositoryName),
            ])
          ).stdout,
        ),
        'lifecycle',
      );
      const rules = arr(
        obj(JSON.parse(str(lifecycle.lifecyclePolicyText, 'policy')), 'policy').rules,
        'rules',
      );
      expect(rules.map((r) => obj(r, 'rule').rulePriority)).toEqual([1, 100, 200]);
    }
  });

  it('has the ten billing alarms in us-east-1', async () => {
    const described = obj(
      JSON.parse((await aws(['cloudwatch', 'describe-alarms', '--region', 'us-east-1'])).stdout),
      'alarms',
    );
    const alarms = arr(described.MetricAlarms, 'MetricAlarms').map((a) => obj(a, 'alarm'));
    expect(alarms.map((a) => a.Threshold).sort((a, b) => Number(a) - Number(b))).toEqual([
      10, 20, 30, 40, 50, 60, 70, 80, 90, 100,
    ]);
    for (const alarm of alarms) {
      expect(alarm).toMatchObject({
        Namespace: 'AWS/Billing',
        MetricName: 'EstimatedCharges',
        Statistic: 'Maximum',
        Period: 21600,
        Dimensions: [{ Name: 'Currency', Value: 'USD' }],
      });
      expect(strings(alarm.AlarmActions, 'AlarmActions')).toEqual([
        `arn:aws:sns:us-east-1:${accountId}:greenlight-billing-alerts`,
      ]);
    }
    const none = obj(
      JSON.parse((await aws(['cloudwatch', 'describe-alarms', '--region', 'eu-west-1'])).stdout),
      'x',
    );
    expect(none.MetricAlarms).toEqual([]);
  });

  it('has one NAT gateway when enable_nat_gateway is set', async () => {
    const described = obj(
      JSON.parse((await aws(['ec2', 'describe-nat-gateways', '--region', 'eu-west-1'])).stdout),
      'nat',
    );
    expect(arr(described.NatGateways, 'NatGateways')).toHaveLength(1);
  });
});
