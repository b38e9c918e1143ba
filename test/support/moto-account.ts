/**
 * An AWS account of a test's own in the stack's moto: moto puts the requests of credentials
 * from STS AssumeRole in the role's account, as AWS does, so a test that assumes
 * `arn:aws:iam::<random account>:role/<name>` sees only its own ECR repositories, with the
 * names the workflows use (`hello-a`), and its registry host is `<account>.dkr.ecr...`.
 */
import { randomInt } from 'node:crypto';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { StackInfo } from '../stack/types.ts';
import type { ActAwsRole } from './act.ts';

export interface MotoAccount {
  accountId: string;
  roleArn: string;
  credentials: ActAwsRole;
  /** `<account>.dkr.ecr.<region>.amazonaws.com` */
  registryHost: string;
  /** An ECR client of this account (a fresh one: it shares nothing with the code under test). */
  ecr: ECRClient;
  /** Creates repositories as terraform/ does: SHA tags immutable, `branch-*` tags mutable. */
  createRepositories(names: string[]): Promise<void>;
}

export async function motoAccountForTest(
  stack: StackInfo,
  roleName = 'greenlight-deploy',
): Promise<MotoAccount> {
  const accountId = String(randomInt(100_000_000_000, 999_999_999_999));
  const roleArn = `arn:aws:iam::${accountId}:role/${roleName}`;
  const sts = new STSClient({
    region: stack.region,
    endpoint: stack.ecrEndpoint,
    credentials: { accessKeyId: stack.awsAccessKeyId, secretAccessKey: stack.awsSecretAccessKey },
  });
  const assumed = await sts.send(
    new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'greenlight-test' }),
  );
  const given = assumed.Credentials;
  if (!given?.AccessKeyId || !given.SecretAccessKey || !given.SessionToken) {
    throw new Error(`moto's STS gave no credentials for ${roleArn}`);
  }
  const credentials: ActAwsRole = {
    accountId,
    accessKeyId: given.AccessKeyId,
    secretAccessKey: given.SecretAccessKey,
    sessionToken: given.SessionToken,
  };
  const ecr = new ECRClient({
    region: stack.region,
    endpoint: stack.ecrEndpoint,
    credentials,
    maxAttempts: 2,
  });
  return {
    accountId,
    roleArn,
    credentials,
    registryHost: `${accountId}.dkr.ecr.${stack.region}.amazonaws.com`,
    ecr,
    async createRepositories(names) {
      for (const repositoryName of names) {
        await ecr.send(
          new CreateRepositoryCommand({
            repositoryName,
            imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
            imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'branch-*' }],
          }),
        );
      }
    },
  };
}
