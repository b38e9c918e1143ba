import type { RealNodeInfo } from './real-nodes/node.ts';

/** What the local stack provides to tests (vitest `inject('stack')`) and to `stack:up`. */
export interface StackInfo {
  /** temp dir holding configs and logs */
  dir: string;
  /** path to an admin kubeconfig (client cert, group system:masters) */
  kubeconfig: string;
  /** https://127.0.0.1:PORT */
  apiServerUrl: string;
  /** http://127.0.0.1:PORT (moto) */
  ecrEndpoint: string;
  /** 127.0.0.1:PORT (distribution, plain http) */
  registry: string;
  /** 'us-east-1' */
  region: string;
  /** dummy */
  awsAccessKeyId: string;
  awsSecretAccessKey: string;
  /** where kubectl-independent tools (kwok, actionlint, etc.) live */
  binDir: string;
  /** the account id moto answers with (ECR registry ids, repository URIs) */
  awsAccountId: string;
  /** CA certificate (PEM file) that signed the API server's serving certificate */
  caFile: string;
  /** name of the fake Node kwok keeps Ready */
  nodeName: string;
  /** Kubernetes version of the control plane, from test/stack/versions.json */
  kubernetesVersion: string;
  /** one log file per component, by component name */
  logs: Record<string, string>;
  /** a stack started with `realNodes: true`: the node's network namespace and addresses */
  realNode?: RealNodeInfo;
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}
