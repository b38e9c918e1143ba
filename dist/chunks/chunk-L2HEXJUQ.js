import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);

// src/core/errors.ts
var GreenlightError = class extends Error {
  name = "GreenlightError";
  hint;
  kind;
  constructor(message, options = {}) {
    super(message, options.cause === void 0 ? void 0 : { cause: options.cause });
    this.hint = options.hint;
    this.kind = options.kind ?? "cluster-error";
  }
};
var InputError = class extends GreenlightError {
  name = "InputError";
  constructor(message, options = {}) {
    super(message, { kind: "input-invalid", ...options });
  }
};
function describeError(error) {
  if (error instanceof GreenlightError) {
    return error.hint ? `${error.message}
  hint: ${error.hint}` : error.message;
  }
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}
var FAILURES = {
  "input-invalid": {
    title: "an action input or CLI argument is malformed",
    hint: "fix the input named in the message; nothing was written"
  },
  "config-invalid": {
    title: "groups/services.yaml or a group file is invalid",
    hint: "fix the file, line and field named in the message (`greenlight validate` lists every error); nothing was written"
  },
  "image-not-found": {
    title: "a service's branch, tag or digest has no image in the registry",
    hint: "a branch's last-good tag exists once a build of it succeeded (build-push-ecr); check the branch name or build it"
  },
  "registry-error": {
    title: "the registry refused or did not answer",
    hint: "check the registry credentials, region and endpoint named in the message"
  },
  "cluster-unreachable": {
    title: "the Kubernetes API server did not answer",
    hint: "check that the cluster is up and the kubeconfig points at it (aws eks update-kubeconfig)"
  },
  "permission-denied": {
    title: "the cluster's RBAC refused a request",
    hint: "bind the greenlight-deployer Role of terraform/rbac/ in the namespace to the deploy identity; the message names the missing verb and resource"
  },
  "cluster-error": {
    title: "the API server refused a request for another reason",
    hint: "read the API server message in the error; the command can be re-run safely"
  },
  "namespace-missing": {
    title: "the group's namespace does not exist and may not be created",
    hint: "create the namespace (and the RoleBinding of terraform/rbac/) as an admin, or let the deploy identity create namespaces"
  },
  "lock-held": {
    title: "another Greenlight run holds the namespace lock",
    hint: "wait for the run named in the message to finish, or raise lock-timeout; a lock of a killed run frees itself when its Lease expires"
  },
  "lock-lost": {
    title: "this run's lock was taken over (its renewals failed past the Lease duration)",
    hint: "the run stopped writing; re-run it once the API server answers reliably again"
  },
  "rollout-failed": {
    title: "a standby Deployment cannot become ready (image pull, crash loop, unschedulable)",
    hint: "fix the image or the service settings named with the pod reasons; the failed standby was scaled to zero (keep-failed keeps it for debugging), live is untouched"
  },
  "rollout-timeout": {
    title: "the standby did not become ready within the timeout",
    hint: "read the pending reasons (failing readiness, pending pods); raise timeout if the service is just slow to start"
  },
  "nothing-on-standby": {
    title: "there is no release on the standby color to act on",
    hint: "deploy the group first (deploy-group or `greenlight deploy`)"
  },
  "release-not-on-standby": {
    title: "the release named is not the one on standby",
    hint: "promote the release standby runs (see `greenlight status`), or deploy the one you meant"
  },
  "not-verified": {
    title: "the release on standby has no passing verification",
    hint: "run the integration tests (run-integration or `greenlight test`); or promote with force and a reason"
  },
  "verification-mismatch": {
    title: "the verification on record is for other digests than standby runs",
    hint: "standby changed after the tests ran; test it again before promoting"
  },
  "not-verified-in-group": {
    title: "promotion.requireVerifiedIn: a shared service has not passed in the required group with the same digest",
    hint: "deploy and test that digest in the group named in the message first"
  },
  "standby-not-ready": {
    title: "the standby color is not ready, so it cannot take traffic",
    hint: "check `greenlight status`; re-deploy the release or wait until its pods are ready (force does not override this)"
  },
  "switch-failed": {
    title: "a live Service could not be switched; every Service was put back on the old color",
    hint: "read the API error in the message (often RBAC on one Service); the group is still live on the old color"
  },
  "nothing-live": {
    title: "the group has no live release (nothing was promoted yet)",
    hint: "deploy the group and promote a release first"
  },
  "no-previous-release": {
    title: "rollback found no earlier promoted release",
    hint: "there is nothing to roll back to; deploy and promote the release you want instead"
  },
  cancelled: {
    title: "the run was stopped (SIGINT/SIGTERM, a cancelled job) before it finished",
    hint: "nothing is left half-switched: the lock was released, and the next command finishes or reverts an interrupted switch; run it again"
  },
  "record-conflict": {
    title: "the release record kept changing under this run",
    hint: "another run is writing the same records; re-run once it finished"
  },
  "test-failed": {
    title: "the integration tests failed",
    hint: "read the failed cases in the summary; the release is recorded as failed and cannot be promoted without force"
  },
  "test-timeout": {
    title: "the integration tests did not finish within the timeout",
    hint: "raise the timeout in the group file (integration.timeout) or find what hangs; the test Job was deleted"
  },
  "test-error": {
    title: "the integration tests could not run (image pull, OOMKilled, a command that does not start)",
    hint: "read the pod or command reason in the message"
  },
  "junit-invalid": {
    title: "the JUnit report could not be read",
    hint: "check the report the tests write; an unreadable report counts as a failed run"
  }
};
var FAILURE_KINDS = Object.keys(FAILURES);
var EngineError = class extends GreenlightError {
  name = "EngineError";
  /** Structured detail for `--json` and summaries (services, pods, holders). */
  detail;
  constructor(kind, message, options = {}) {
    super(message, { kind, hint: options.hint ?? FAILURES[kind].hint, cause: options.cause });
    this.detail = options.detail ?? {};
  }
};

export {
  GreenlightError,
  InputError,
  describeError,
  FAILURES,
  EngineError
};
