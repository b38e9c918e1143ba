/**
 * Stand-in for aws-actions/configure-aws-credentials in workflows run by act. The real
 * action exchanges the job's OIDC token for the role's credentials; here the test did the
 * exchange with moto's STS (AssumeRole, so the role's account is the one moto answers for)
 * and lists the roles it made assumable in GREENLIGHT_STANDIN_AWS. Self-contained: act
 * copies this folder on its own, so nothing outside it can be imported.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';

interface RoleCredentials {
  accountId: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}
interface StandinAws {
  /** moto's URL, for every AWS service the job calls. */
  endpoint: string;
  roles: Record<string, RoleCredentials>;
}

const input = (name: string) => (process.env[`INPUT_${name.toUpperCase()}`] ?? '').trim();

/** The runner's file commands, with a heredoc delimiter no value can contain. */
function setFileValue(file: string | undefined, name: string, value: string): void {
  if (!file) throw new Error(`${name}: the runner gave no file to write it to`);
  const delimiter = `ghadelimiter_${randomUUID()}`;
  appendFileSync(file, `${name}<<${delimiter}\n${value}\n${delimiter}\n`);
}

function fail(message: string): never {
  console.log(`::error::${message}`);
  process.exit(1);
}

function record(inputs: Record<string, string>): void {
  const file = process.env.GREENLIGHT_STANDIN_RECORD;
  const call = { action: 'aws-actions/configure-aws-credentials', job: process.env.GITHUB_JOB, inputs };
  if (file) appendFileSync(file, `${JSON.stringify(call)}\n`);
}

const region = input('aws-region');
const role = input('role-to-assume');
record({ 'aws-region': region, 'role-to-assume': role });
if (!region) fail('Input required and not supplied: aws-region');
if (!role) fail('this stand-in only assumes roles (role-to-assume), as Greenlight workflows do with OIDC');
const settings = JSON.parse(process.env.GREENLIGHT_STANDIN_AWS ?? '{"endpoint":"","roles":{}}') as StandinAws;
const credentials = settings.roles[role];
if (!credentials) {
  fail(`Could not assume role with OIDC: Not authorized to perform sts:AssumeRoleWithWebIdentity (${role})`);
}
for (const secret of [credentials.secretAccessKey, credentials.sessionToken])
  console.log(`::add-mask::${secret}`);
const exported: Record<string, string> = {
  AWS_REGION: region,
  AWS_DEFAULT_REGION: region,
  AWS_ACCESS_KEY_ID: credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  AWS_SESSION_TOKEN: credentials.sessionToken,
  AWS_ENDPOINT_URL: settings.endpoint,
};
for (const [name, value] of Object.entries(exported)) setFileValue(process.env.GITHUB_ENV, name, value);
setFileValue(process.env.GITHUB_OUTPUT, 'aws-account-id', credentials.accountId);
console.log(
  `assumed ${role} (account ${credentials.accountId}) in ${region}; AWS calls go to ${settings.endpoint}`,
);
