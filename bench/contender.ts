/**
 * What every contender of the benchmark implements. The runner (bench/runner.ts) does the
 * rest the same way for all of them: the namespace, the independent observer of the
 * Services, the timing, the audit-log counting and the clean-up. A contender only makes
 * the group live at v1 (not measured), then deploys v2 to standby and promotes it.
 */
import type { StackInfo } from '../test/stack/types.ts';
import type { BenchGroup } from './groups.ts';
import type { Identity } from './identities.ts';

export type ContenderName = 'greenlight' | 'kubectl-sequential' | 'kubectl-parallel' | 'argo-rollouts';

export interface ContenderContext {
  stack: StackInfo;
  /** kubeconfig of each identity this contender declared, by name (its requests are counted) */
  identities: ReadonlyMap<string, Identity>;
  /** admin kubeconfig, for set-up and waits that must not be counted */
  adminKubeconfig: string;
  /** kubectl's discovery cache for this run (not the person's ~/.kube) */
  kubectlCache: string;
  /** scratch dir of this contender and group size */
  workDir: string;
  /** upper bound of one phase at this group size */
  timeoutMs: number;
  log(line: string): void;
}

export interface PhaseResult {
  /** peak RSS of the measured process (the tool, or the controller doing the work), bytes */
  peakRssBytes: number;
}

export interface Contender {
  readonly name: ContenderName;
  /** how tables and the chart call it */
  readonly label: string;
  /**
   * Identities to create before the run (ServiceAccounts, see identities.ts); the
   * requests of all of them count for this contender.
   */
  readonly identities: readonly string[];
  /** undefined when it can run here, else why not (a missing build, an engine not there yet) */
  unavailable(): Promise<string | undefined>;
  /** once, before its first group (install CRDs, start a controller) */
  setUp?(ctx: Omit<ContenderContext, 'workDir'>): Promise<void>;
  /** once, at the end (stop what setUp started); also called after a failure */
  tearDown?(): Promise<void>;
  /** not measured: the group's services live at v1, in the group's namespace (which exists) */
  prepare(group: BenchGroup, ctx: ContenderContext): Promise<void>;
  /** measured: v2 on standby; resolves once every standby is Available / ready to promote */
  deploy(group: BenchGroup, ctx: ContenderContext): Promise<PhaseResult>;
  /** measured: every live Service switched to the standby; resolves once done */
  promote(group: BenchGroup, ctx: ContenderContext): Promise<PhaseResult>;
}
