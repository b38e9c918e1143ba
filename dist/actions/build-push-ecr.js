import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  runAction
} from "../chunks/chunk-IFVAZXWR.js";
import {
  booleanInput,
  choiceInput,
  listInput,
  optionalInput,
  requiredInput
} from "../chunks/chunk-BXDNX7JK.js";
import "../chunks/chunk-KUEXGX5L.js";
import {
  BUILDER_CHOICES
} from "../chunks/chunk-HSGHEUQM.js";
import "../chunks/chunk-XENWERP3.js";
import "../chunks/chunk-C337HVKU.js";
import {
  isCommitSha
} from "../chunks/chunk-R6Y2HZ7J.js";
import {
  InputError
} from "../chunks/chunk-L2HEXJUQ.js";
import "../chunks/chunk-KSZB5HZC.js";

// actions/build-push-ecr/inputs.ts
import { existsSync, readFileSync } from "node:fs";

// src/image-build/inputs.ts
var BUILD_EVENTS = ["push", "delete"];
var REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
var ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;
var REGISTRY_HOST = /^(?:[a-zA-Z0-9.-]+|\[[0-9a-fA-F:]+\])(?::\d{1,5})?$/;
var DOCKER_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
var PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/;
var STAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
var BUILD_ARG = /^[A-Za-z_][A-Za-z0-9_]*=/;
var LABEL = /^[A-Za-z0-9][A-Za-z0-9_.\-/]*=/;
function readBuildPushEcrInputs(source, github = {}) {
  const event = readEvent(source, github);
  const { repository, registry, ecrHost, region } = readRepository(source);
  const awsRegion = readRegion(source, region, github);
  const sha = event === "push" ? readSha(source, github) : void 0;
  return {
    event,
    repository,
    registry,
    ecrHost,
    awsRegion,
    branch: readBranch(source, github, event),
    sha,
    context: optionalInput(source, "context") ?? ".",
    dockerfile: optionalInput(source, "dockerfile"),
    builder: choiceInput(source, "builder", BUILDER_CHOICES, "auto"),
    buildArgs: checkedLines(source, "build-args", BUILD_ARG, "KEY=value"),
    target: checkedOptional(source, "target", STAGE_NAME, "a build stage name"),
    platforms: checkedList(source, "platforms", PLATFORM, "os/arch such as linux/amd64"),
    labels: checkedLines(source, "labels", LABEL, "key=value"),
    tags: checkedList(source, "tags", DOCKER_TAG, "a Docker tag such as v1.2.3 (not a full reference)"),
    push: booleanInput(source, "push", true),
    cache: booleanInput(source, "cache", false),
    cacheRepository: readCacheRepository(source),
    provenance: booleanInput(source, "provenance", false),
    sourceUrl: github.serverUrl && github.repository ? `${github.serverUrl}/${github.repository}` : void 0
  };
}
function readEvent(source, github) {
  const fromEvent = github.eventName === "delete" ? "delete" : "push";
  return choiceInput(source, "event", BUILD_EVENTS, fromEvent);
}
function readRepository(source) {
  const value = requiredInput(source, "repository");
  const override = optionalInput(source, "registry");
  if (override !== void 0 && !REGISTRY_HOST.test(override)) {
    throw new InputError(
      `Input "registry": expected a registry host such as 127.0.0.1:5000, got "${override}"`
    );
  }
  const slash = value.indexOf("/");
  const host = slash > 0 ? value.slice(0, slash) : "";
  const looksLikeHost = host.includes(".") || host.includes(":") || host === "localhost";
  const name = looksLikeHost ? value.slice(slash + 1) : value;
  if (!REPOSITORY_NAME.test(name) || name.length < 2 || name.length > 256) {
    throw new InputError(
      `Input "repository": expected an ECR repository name such as hello-a, or a repository URI such as 123456789012.dkr.ecr.us-east-1.amazonaws.com/hello-a, got "${value}"`
    );
  }
  if (!looksLikeHost) return { repository: name, registry: override, ecrHost: void 0, region: void 0 };
  const ecr = ECR_HOST.exec(host);
  if (!ecr && override === void 0) {
    throw new InputError(
      `Input "repository": ${host} is not an ECR registry; give a plain OCI registry in the "registry" input and the repository name alone`
    );
  }
  if (override !== void 0)
    return { repository: name, registry: override, ecrHost: void 0, region: void 0 };
  return { repository: name, registry: void 0, ecrHost: host, region: ecr?.[2] };
}
function readRegion(source, fromUri, github) {
  const given = optionalInput(source, "aws-region");
  if (given && fromUri && given !== fromUri) {
    throw new InputError(`Input "aws-region" is ${given} but the repository URI is in ${fromUri}`);
  }
  return given ?? fromUri ?? github.awsRegion;
}
function readSha(source, github) {
  const sha = optionalInput(source, "sha") ?? github.sha;
  if (!sha) throw new InputError("Input required and not supplied: sha (GITHUB_SHA is not set either)");
  if (!isCommitSha(sha)) {
    throw new InputError(`Input "sha": expected a full 40-character commit SHA, got "${sha}"`);
  }
  return sha.toLowerCase();
}
function readBranch(source, github, event) {
  const given = optionalInput(source, "branch");
  if (given !== void 0) return checkBranch(given);
  if (event === "delete") {
    if (github.deletedRefType === "tag") return void 0;
    const deleted = github.deletedRefType === "branch" ? github.deletedRef : void 0;
    if (!deleted) {
      throw new InputError('Input "branch" is required for event delete outside a branch delete event');
    }
    return checkBranch(deleted);
  }
  if (github.headRef) return checkBranch(github.headRef);
  return github.refType === "branch" && github.refName ? checkBranch(github.refName) : void 0;
}
function checkBranch(branch) {
  const name = branch.replace(/^refs\/heads\//, "");
  const invalid = /[\x00-\x20~^:?*[\\\x7f]|\.\.|@\{|^[/.]|[/.]$|\/\/|\.lock$/;
  if (!name || invalid.test(name)) {
    throw new InputError(`Input "branch": "${branch}" is not a valid git branch name`);
  }
  return name;
}
function readCacheRepository(source) {
  const value = optionalInput(source, "cache-repository");
  if (value !== void 0 && !REPOSITORY_NAME.test(value)) {
    throw new InputError(`Input "cache-repository": expected a repository name, got "${value}"`);
  }
  return value;
}
function checkedList(source, name, pattern, expected) {
  return checkItems(name, listInput(source, name), pattern, expected);
}
function checkedLines(source, name, pattern, expected) {
  const lines = source.get(name).split(/\r?\n/);
  const items = lines.map((line) => line.trim()).filter((line) => line && !line.startsWith("#"));
  return checkItems(name, items, pattern, expected);
}
function checkItems(name, items, pattern, expected) {
  const bad = items.find((item) => !pattern.test(item));
  if (bad !== void 0) throw new InputError(`Input "${name}": expected ${expected}, got "${bad}"`);
  return items;
}
function checkedOptional(source, name, pattern, expected) {
  const value = optionalInput(source, name);
  if (value !== void 0 && !pattern.test(value)) {
    throw new InputError(`Input "${name}": expected ${expected}, got "${value}"`);
  }
  return value;
}
function githubEventFrom(env, payload) {
  const event = payload ?? {};
  const entries = [
    ["eventName", env.GITHUB_EVENT_NAME],
    ["refName", env.GITHUB_REF_NAME],
    ["refType", env.GITHUB_REF_TYPE],
    ["headRef", env.GITHUB_HEAD_REF],
    ["sha", env.GITHUB_SHA],
    ["serverUrl", env.GITHUB_SERVER_URL],
    ["repository", env.GITHUB_REPOSITORY],
    ["deletedRef", typeof event.ref === "string" ? event.ref : void 0],
    ["deletedRefType", typeof event.ref_type === "string" ? event.ref_type : void 0],
    ["awsRegion", env.AWS_REGION || env.AWS_DEFAULT_REGION]
  ];
  return Object.fromEntries(entries.filter(([, value]) => value));
}

// actions/build-push-ecr/inputs.ts
function readActionInputs(source) {
  return readBuildPushEcrInputs(source, githubEventFrom(process.env, readEventPayload()));
}
function readEventPayload() {
  const path = process.env.GITHUB_EVENT_PATH;
  return path && existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : void 0;
}

// actions/build-push-ecr/index.ts
await runAction(readActionInputs, async () => (await import("../chunks/main-ZUY2BSMA.js")).run);
