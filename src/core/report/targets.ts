/** Where a test run is reported: which commits get a status, which branches are looked up for pull requests. */
import type { DeployedService } from './types.ts';

export interface StatusTarget {
  repository: string;
  sha: string;
  /** The services deployed from this commit (a monorepo may deploy several). */
  services: string[];
}

export interface BranchTarget {
  repository: string;
  branch: string;
  services: string[];
}

export interface ReportTargets {
  statuses: StatusTarget[];
  branches: BranchTarget[];
}

const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/**
 * One status per repository and commit, one pull-request lookup per repository and branch.
 * Services without a GitHub repository, commit or branch are left out: there is nothing to
 * report to. Malformed values are left out too (they came from image labels).
 */
export function reportTargets(services: readonly DeployedService[]): ReportTargets {
  const statuses = new Map<string, StatusTarget>();
  const branches = new Map<string, BranchTarget>();
  for (const service of services) {
    const repository = service.githubRepository;
    if (!repository || !REPOSITORY.test(repository)) continue;
    if (service.commit && SHA.test(service.commit)) {
      const key = `${repository.toLowerCase()} ${service.commit}`;
      const target = statuses.get(key) ?? { repository, sha: service.commit, services: [] };
      target.services.push(service.service);
      statuses.set(key, target);
    }
    if (service.branch) {
      const key = `${repository.toLowerCase()} ${service.branch}`;
      const target = branches.get(key) ?? { repository, branch: service.branch, services: [] };
      target.services.push(service.service);
      branches.set(key, target);
    }
  }
  return { statuses: [...statuses.values()], branches: [...branches.values()] };
}
