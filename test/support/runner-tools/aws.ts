#!/usr/bin/env node
/**
 * Stand-in for the AWS CLI on the runner of workflows run by act, for the one command
 * Greenlight's workflows give it: `aws eks update-kubeconfig --name NAME [--region R]
 * [--kubeconfig PATH]`. The real command asks EKS (DescribeCluster) for the cluster's
 * endpoint and CA and writes a kubeconfig whose user runs `aws eks get-token`; EKS cannot
 * run here, so this one writes the kubeconfig the test gave for that cluster name (the
 * local stack's). Like the real one it needs credentials, here those of a role the
 * configure-aws-credentials stand-in handed out, and a region, and refuses a cluster it
 * does not know. Anything else it refuses as not stood in for. Every call is recorded in
 * $GREENLIGHT_STANDIN_RECORD. Runs on Node 24 (type stripping) through its link on PATH.
 */
import { appendFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';

interface StandinEks {
  /** Cluster name -> the kubeconfig file that reaches it. */
  clusters: Record<string, string>;
}

interface StandinAws {
  roles: Record<string, { accountId: string; accessKeyId: string }>;
}

function fail(code: number, message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

function record(args: string[]): void {
  const file = process.env.GREENLIGHT_STANDIN_RECORD;
  const call = { action: 'aws', job: process.env.GITHUB_JOB, inputs: { args: args.join(' ') } };
  if (file) appendFileSync(file, `${JSON.stringify(call)}\n`);
}

/** The account of the role whose credentials the job holds, or a failure like the CLI's. */
function callerAccount(): string {
  const key = process.env.AWS_ACCESS_KEY_ID;
  if (!key || !process.env.AWS_SECRET_ACCESS_KEY) {
    fail(253, 'Unable to locate credentials. You can configure credentials by running "aws configure".');
  }
  const aws = JSON.parse(process.env.GREENLIGHT_STANDIN_AWS ?? '{"roles":{}}') as StandinAws;
  const role = Object.values(aws.roles).find((candidate) => candidate.accessKeyId === key);
  if (!role) {
    fail(
      254,
      'An error occurred (UnrecognizedClientException) when calling the DescribeCluster operation: The security token included in the request is invalid.',
    );
  }
  return role.accountId;
}

function updateKubeconfig(args: string[]): void {
  const { values } = parseArgs({
    args,
    options: {
      name: { type: 'string' },
      region: { type: 'string' },
      kubeconfig: { type: 'string' },
    },
    strict: true,
  });
  if (!values.name) fail(252, 'aws: error: the following arguments are required: --name');
  const region = values.region || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION;
  if (!region)
    fail(253, 'You must specify a region. You can also configure your region by running "aws configure".');
  const account = callerAccount();
  const eks = JSON.parse(process.env.GREENLIGHT_STANDIN_EKS ?? '{"clusters":{}}') as StandinEks;
  const source = eks.clusters[values.name];
  if (!source) {
    fail(
      254,
      `An error occurred (ResourceNotFoundException) when calling the DescribeCluster operation: No cluster found for name: ${values.name}.`,
    );
  }
  const target =
    values.kubeconfig || process.env.KUBECONFIG?.split(':')[0] || join(homedir(), '.kube', 'config');
  mkdirSync(dirname(target), { recursive: true });
  // The real command merges into an existing file; the workflows give it a fresh path.
  copyFileSync(source, target);
  console.log(`Added new context arn:aws:eks:${region}:${account}:cluster/${values.name} to ${target}`);
}

const args = process.argv.slice(2);
record(args);
if (args[0] === 'eks' && args[1] === 'update-kubeconfig') {
  try {
    updateKubeconfig(args.slice(2));
  } catch (error) {
    fail(252, `aws: error: ${(error as Error).message}`);
  }
} else {
  fail(
    252,
    `this stand-in of the AWS CLI only does "aws eks update-kubeconfig"; asked for "aws ${args.join(' ')}"`,
  );
}
