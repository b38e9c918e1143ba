import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  createCommandRunner
} from "./chunk-KSGAWSJL.js";
import {
  commitsFromTags,
  createEcrClient,
  decideLastGoodMove,
  deleteImageTag,
  describeImage,
  describeRepository,
  getImageManifest,
  getRegistryLogin,
  isTagMutable,
  putImageTag
} from "./chunk-IQQIDYJJ.js";
import {
  imageLabels,
  imageRef
} from "./chunk-HSGHEUQM.js";
import {
  info,
  setOutput,
  setSecret,
  summary,
  warning
} from "./chunk-XENWERP3.js";
import "./chunk-C337HVKU.js";
import {
  RegistryError
} from "./chunk-XHBTLDLT.js";
import {
  commitTag,
  lastGoodTag
} from "./chunk-R6Y2HZ7J.js";
import {
  GreenlightError,
  InputError
} from "./chunk-L2HEXJUQ.js";
import "./chunk-TAPV5QTX.js";
import "./chunk-KSZB5HZC.js";

// actions/build-push-ecr/main.ts
import { mkdtempSync, rmSync as rmSync2 } from "node:fs";
import { tmpdir } from "node:os";
import { join as join2 } from "node:path";

// src/image-build/flow.ts
import { join } from "node:path";

// src/image-build/build-push-ecr.ts
import { readFileSync, rmSync } from "node:fs";

// src/image-build/argv.ts
function flag(name, value) {
  return value === void 0 || value === "" ? [] : [name, value];
}
function repeated(name, values) {
  return values.flatMap((value) => [name, value]);
}

// src/image-build/buildah.ts
function globalArgs(settings) {
  return [
    ...flag("--storage-driver", settings.storageDriver),
    ...flag("--root", settings.root),
    ...flag("--runroot", settings.runroot)
  ];
}
function registryArgs(settings) {
  return [
    ...settings.tlsVerify === false ? ["--tls-verify=false"] : [],
    ...flag("--authfile", settings.authFile)
  ];
}
function isMultiPlatform(options) {
  return options.platforms.length > 1;
}
function localImageName(options) {
  const first = options.imageRefs[0];
  if (!first) throw new Error("a build needs at least one image reference");
  return first;
}
function getBuildahArgs(options, settings = {}) {
  const output = isMultiPlatform(options) ? ["--manifest", localImageName(options)] : repeated("--tag", options.imageRefs);
  return [
    ...globalArgs(settings),
    "build",
    ...flag("--file", options.dockerfile),
    ...output,
    ...repeated("--label", options.labels),
    ...repeated("--build-arg", options.buildArgs),
    ...flag("--target", options.target),
    ...flag("--platform", options.platforms.length > 0 ? options.platforms.join(",") : void 0),
    ...cacheArgs(options),
    ...flag("--isolation", settings.isolation),
    ...registryArgs(settings),
    options.context
  ];
}
function cacheArgs(options) {
  if (!options.cacheRef) return [];
  return [
    "--layers",
    "--cache-from",
    options.cacheRef,
    ...options.push ? ["--cache-to", options.cacheRef] : []
  ];
}
function getBuildahPushArgs(options, ref, settings = {}) {
  const subcommand = isMultiPlatform(options) ? ["manifest", "push", "--all"] : ["push"];
  return [
    ...globalArgs(settings),
    ...subcommand,
    "--digestfile",
    options.resultFile,
    ...registryArgs(settings),
    localImageName(options),
    `docker://${ref}`
  ];
}
function getBuildahLoginArgs(registry, username, settings = {}) {
  return [
    ...globalArgs(settings),
    "login",
    "--username",
    username,
    "--password-stdin",
    ...registryArgs(settings),
    registry
  ];
}

// src/image-build/buildx.ts
var ECR_CACHE_EXPORT = "mode=max,image-manifest=true,oci-mediatypes=true";
function getBuildxArgs(options) {
  return [
    "buildx",
    "build",
    ...flag("--file", options.dockerfile),
    ...repeated("--tag", options.imageRefs),
    ...repeated("--label", options.labels),
    ...repeated("--build-arg", options.buildArgs),
    ...flag("--target", options.target),
    ...flag("--platform", options.platforms.length > 0 ? options.platforms.join(",") : void 0),
    // Explicit either way: buildx's default depends on the driver and its version.
    `--provenance=${options.provenance}`,
    ...cacheArgs2(options),
    "--metadata-file",
    options.resultFile,
    ...options.push ? ["--push"] : [],
    options.context
  ];
}
function cacheArgs2(options) {
  if (!options.cacheRef) return [];
  const from = ["--cache-from", `type=registry,ref=${options.cacheRef}`];
  if (!options.push) return from;
  return [...from, "--cache-to", `type=registry,ref=${options.cacheRef},${ECR_CACHE_EXPORT}`];
}
function getDockerLoginArgs(registry, username) {
  return ["login", "--username", username, "--password-stdin", registry];
}
function digestFromBuildxMetadata(metadataJson) {
  const metadata = JSON.parse(metadataJson);
  const digest = metadata["containerimage.digest"];
  return typeof digest === "string" && digest.startsWith("sha256:") ? digest : void 0;
}

// src/image-build/git.ts
var GIT_TIMEOUT_MS = 12e4;
async function compareHeldCommits(git, heldCommits, candidate) {
  if (heldCommits.length === 0) return [];
  await fetchMissingHistory(git, [...heldCommits, candidate]);
  const compared = [];
  for (const commit of heldCommits) compared.push(await compareCommit(git, commit, candidate));
  return compared;
}
async function compareCommit(git, held, candidate) {
  if (held === candidate) return { commit: held, ancestry: "same" };
  if (!await hasCommit(git, held) || !await hasCommit(git, candidate)) {
    return { commit: held, ancestry: "unknown" };
  }
  const ancestry = await ancestryOf(git, held, candidate);
  if (ancestry !== "diverged") return { commit: held, ancestry };
  return {
    commit: held,
    ancestry,
    ...optionalTime("heldTime", await committerTime(git, held)),
    ...optionalTime("candidateTime", await committerTime(git, candidate))
  };
}
function optionalTime(key, time) {
  return time === void 0 ? {} : { [key]: time };
}
async function ancestryOf(git, held, candidate) {
  const forward = await isAncestor(git, held, candidate);
  if (forward !== false) return forward === true ? "candidate-descends" : "unknown";
  const backward = await isAncestor(git, candidate, held);
  if (backward !== false) return backward === true ? "candidate-precedes" : "unknown";
  return "diverged";
}
async function isAncestor(git, older, newer) {
  const result = await gitRun(git, ["merge-base", "--is-ancestor", older, newer]);
  if (result.exitCode === 0) return true;
  return result.exitCode === 1 ? false : void 0;
}
async function hasCommit(git, commit) {
  return (await gitRun(git, ["cat-file", "-e", `${commit}^{commit}`])).exitCode === 0;
}
async function committerTime(git, commit) {
  const result = await gitRun(git, ["show", "-s", "--format=%ct", commit]);
  const seconds = Number.parseInt(result.stdout.trim(), 10);
  return result.exitCode === 0 && Number.isFinite(seconds) ? seconds : void 0;
}
async function fetchMissingHistory(git, commits) {
  const shallow = await gitRun(git, ["rev-parse", "--is-shallow-repository"]);
  if (shallow.exitCode !== 0) return;
  const missing = [];
  for (const commit of commits) if (!await hasCommit(git, commit)) missing.push(commit);
  const isShallow = shallow.stdout.trim() === "true";
  if (!isShallow && missing.length === 0) return;
  const depth = isShallow ? [`--depth=${git.fetchDepth ?? 200}`] : [];
  const wanted = isShallow ? [...new Set(commits)] : missing;
  await gitRun(git, ["fetch", "--no-tags", ...depth, git.remote ?? "origin", ...wanted]);
}
async function readRemoteBranchHead(git, branch) {
  const result = await gitRun(git, ["ls-remote", "--heads", git.remote ?? "origin", `refs/heads/${branch}`]);
  if (result.exitCode !== 0) return void 0;
  const line = result.stdout.split("\n").find((row) => row.endsWith(`	refs/heads/${branch}`));
  return line?.split("	")[0];
}
function gitRun(git, args) {
  return git.runner.run("git", args, { cwd: git.cwd, echo: false, timeoutMs: GIT_TIMEOUT_MS });
}

// src/image-build/build-push-ecr.ts
var MUTABILITY_HINT = `set the repository's tag mutability to IMMUTABLE_WITH_EXCLUSION with a WILDCARD exclusion filter "branch-*" (aws ecr put-image-tag-mutability --image-tag-mutability IMMUTABLE_WITH_EXCLUSION --image-tag-mutability-exclusion-filters filterType=WILDCARD,filter="branch-*"): sha- tags stay immutable, last-good tags can move`;
async function checkRepository(ecr, repository, branch) {
  const info2 = await describeRepository(ecr, repository);
  if (branch !== void 0 && !isTagMutable(info2, lastGoodTag(branch))) throw immutableTagError(info2, branch);
  return info2;
}
function immutableTagError(info2, branch) {
  const exclusions = info2.mutabilityExclusions.length ? ` (exclusions: ${info2.mutabilityExclusions.join(", ")})` : "";
  return new RegistryError(
    "tag-immutable",
    `ECR repository ${info2.name} has tag mutability ${info2.tagMutability}${exclusions}, so the last-good tag ${lastGoodTag(branch)} of branch ${branch} cannot move`,
    { hint: MUTABILITY_HINT }
  );
}
function registryOf(info2) {
  return info2.uri.slice(0, info2.uri.indexOf("/"));
}
async function resolveBuilder(runner, choice) {
  if (choice !== "auto") return choice;
  const probe = await runner.run("docker", ["info", "--format", "{{.ServerVersion}}"], {
    echo: false,
    timeoutMs: 2e4
  });
  return probe.exitCode === 0 ? "docker" : "buildah";
}
async function loginBuilder(runner, builder, login, mask, settings = {}) {
  mask(login.password);
  runner.addSecret(login.password);
  const [command, args] = builder === "docker" ? ["docker", getDockerLoginArgs(login.registry, login.username)] : ["buildah", getBuildahLoginArgs(login.registry, login.username, settings)];
  await runner.check(command, args, { stdin: `${login.password}
`, echo: false, timeoutMs: 12e4 });
}
async function buildAndPush(runner, builder, options, settings = {}) {
  if (builder === "docker") {
    await runner.check("docker", getBuildxArgs(options));
    return options.push ? requireDigest(digestFromBuildxMetadata(readFileSync(options.resultFile, "utf8"))) : void 0;
  }
  await runner.check("buildah", getBuildahArgs(options, settings));
  if (!options.push) return void 0;
  return pushWithBuildah(runner, options, settings);
}
async function pushWithBuildah(runner, options, settings) {
  const digests = /* @__PURE__ */ new Set();
  for (const ref of options.imageRefs) {
    rmSync(options.resultFile, { force: true });
    await runner.check("buildah", getBuildahPushArgs(options, ref, settings));
    digests.add(requireDigest(readFileSync(options.resultFile, "utf8").trim()));
  }
  if (digests.size !== 1) {
    throw new GreenlightError(`buildah pushed different manifests for one image: ${[...digests].join(", ")}`);
  }
  return [...digests][0];
}
function requireDigest(digest) {
  if (!digest || !/^sha256:[0-9a-f]{64}$/.test(digest)) {
    throw new GreenlightError(
      `the builder reported no manifest digest after pushing (got "${digest ?? ""}")`
    );
  }
  return digest;
}
async function moveLastGoodTag(ecr, request, git, log, options = {}) {
  const tag = lastGoodTag(request.branch);
  const candidate = await getImageManifest(ecr, { repository: request.repository, digest: request.digest });
  const maxRounds = options.maxRounds ?? 3;
  let result;
  for (let round = 1; round <= maxRounds; round++) {
    const held = await describeImage(ecr, { repository: request.repository, tag });
    const heldDigest = held?.imageDigest;
    const decision = await decideForHeld(request, git, heldDigest, held?.imageTags ?? []);
    logDecision(log, tag, decision);
    if (decision.action === "keep") return { tag, decision, outcome: "kept" };
    if (decision.action === "move" && await tagDigest(ecr, request.repository, tag) !== heldDigest)
      continue;
    const outcome = decision.action === "move" ? await putLastGoodTag(ecr, request, candidate, tag) : "already-tagged";
    result = { tag, decision, outcome };
    await sleep(options.settleMs ?? 2e3);
    if (await tagDigest(ecr, request.repository, tag) === request.digest) return result;
    log.warning(`last-good tag ${tag} was moved by another run right after this one: deciding again`);
  }
  throw new GreenlightError(
    `last-good tag ${tag} kept changing under this run (${maxRounds} rounds); another build of branch ${request.branch} is moving it`,
    { hint: "run builds of one branch in one concurrency group" }
  );
}
async function decideForHeld(request, git, heldDigest, heldTags) {
  const needsOrder = heldDigest !== void 0 && heldDigest !== request.digest;
  const commits = needsOrder ? await compareCommits(git, commitsFromTags(heldTags), request.commit) : [];
  return decideLastGoodMove({
    candidate: { commit: request.commit, digest: request.digest },
    ...heldDigest ? { held: { digest: heldDigest, commits } } : {},
    ...needsOrder && git ? optionalHead(await readRemoteBranchHead(git, request.branch)) : {}
  });
}
function logDecision(log, tag, decision) {
  const message = `last-good tag ${tag}: ${decision.action === "keep" ? "kept" : decision.action} (${decision.reason})`;
  if (decision.warn) log.warning(message);
  else log.info(message);
}
async function tagDigest(ecr, repository, tag) {
  return (await describeImage(ecr, { repository, tag }))?.imageDigest;
}
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
async function compareCommits(git, held, candidate) {
  if (git) return compareHeldCommits(git, held, candidate);
  return held.map((commit) => ({ commit, ancestry: commit === candidate ? "same" : "unknown" }));
}
function optionalHead(remoteHead) {
  return remoteHead ? { remoteHead } : {};
}
async function putLastGoodTag(ecr, request, manifest, tag) {
  try {
    return await putImageTag(ecr, request.repository, manifest, tag);
  } catch (error) {
    if (!(error instanceof RegistryError && error.registryKind === "tag-immutable")) throw error;
    throw new RegistryError(
      "tag-immutable",
      `ECR refused to move ${request.repository}:${tag} (branch ${request.branch}): the tag is immutable in this repository`,
      { hint: MUTABILITY_HINT, cause: error }
    );
  }
}
async function deleteLastGoodTag(ecr, repository, branch) {
  const tag = lastGoodTag(branch);
  return { tag, removed: await deleteImageTag(ecr, repository, tag) };
}

// src/image-build/flow.ts
async function runBuildPushEcr(inputs, deps) {
  if (inputs.event === "delete") return deleteBranch(inputs, deps);
  const commit = requireValue(inputs.sha, "sha");
  const useEcr = inputs.registry === void 0 && inputs.push;
  const registry = useEcr ? await checkEcrTarget(inputs, deps) : inputs.registry ?? inputs.ecrHost;
  const builder = await resolveBuilder(deps.runner, inputs.builder);
  const options = buildOptions(inputs, commit, registry, deps, builder);
  const existing = useEcr ? await findCommitImage(deps.ecr(), inputs.repository, commit) : void 0;
  const digest = existing ? await reuseCommitImage(deps, inputs.repository, existing, inputs.tags) : await loginBuildAndPush(inputs, deps, builder, options, useEcr ? registry : void 0);
  const pushed = pushedImage(inputs, { commit, builder, digest, registry, refs: options.imageRefs }, useEcr);
  if (pushed.lastGoodSkipped !== void 0 || !digest || !inputs.branch) return pushed;
  const lastGood = await moveLastGoodTag(
    deps.ecr(),
    { repository: inputs.repository, branch: inputs.branch, commit, digest },
    deps.git,
    deps.log
  );
  const tags = lastGood.outcome === "kept" ? pushed.tags : [...pushed.tags, imageRef(registry, inputs.repository, lastGood.tag)];
  return { ...pushed, lastGood, tags };
}
async function checkEcrTarget(inputs, deps) {
  const info2 = await checkRepository(deps.ecr(), inputs.repository, inputs.branch);
  const registry = registryOf(info2);
  if (inputs.ecrHost && inputs.ecrHost !== registry) {
    throw new InputError(
      `Input "repository" names ${inputs.ecrHost}, but these credentials find ${inputs.repository} at ${registry}`,
      { hint: "give the repository name alone, or assume a role in the account the URI names" }
    );
  }
  return registry;
}
async function reuseCommitImage(deps, repository, existing, extraTags) {
  deps.log.info(`${repository} already holds this commit as ${existing.digest}: reused, not rebuilt`);
  for (const tag of extraTags) await putImageTag(deps.ecr(), repository, existing, tag);
  return existing.digest;
}
async function findCommitImage(ecr, repository, commit) {
  const image = await describeImage(ecr, { repository, tag: commitTag(commit) });
  return image?.imageDigest ? getImageManifest(ecr, { repository, digest: image.imageDigest }) : void 0;
}
async function loginBuildAndPush(inputs, deps, builder, options, ecrRegistry) {
  if (inputs.provenance && builder === "buildah") {
    deps.log.warning("provenance: buildah makes no attestations; ignored");
  }
  if (ecrRegistry) {
    const login = await getRegistryLogin(deps.ecr());
    await loginBuilder(deps.runner, builder, { ...login, registry: ecrRegistry }, deps.mask, deps.buildah);
  }
  return buildAndPush(deps.runner, builder, options, deps.buildah);
}
function pushedImage(inputs, built, useEcr) {
  const imageName = imageRef(built.registry, inputs.repository);
  return {
    event: "push",
    repository: inputs.repository,
    imageName,
    builder: built.builder,
    commit: built.commit,
    branch: inputs.branch,
    digest: built.digest,
    image: built.digest ? `${imageName}@${built.digest}` : void 0,
    tags: built.digest ? built.refs : [],
    lastGood: void 0,
    lastGoodSkipped: lastGoodSkipReason(inputs, useEcr)
  };
}
function lastGoodSkipReason(inputs, useEcr) {
  if (!inputs.push) return "push is off";
  if (!useEcr) return "last-good tags are kept in ECR only, and this run pushed to another registry";
  if (!inputs.branch) return "the run is not for a branch (a tag push?)";
  return void 0;
}
async function deleteBranch(inputs, deps) {
  const branch = inputs.branch;
  if (branch === void 0) {
    deps.log.info("a tag was deleted: no last-good tag to remove");
    return { event: "delete", repository: inputs.repository, branch, deleted: void 0 };
  }
  const deleted = await deleteLastGoodTag(deps.ecr(), inputs.repository, branch);
  deps.log.info(
    deleted.removed ? `removed ${inputs.repository}:${deleted.tag}` : `${inputs.repository}:${deleted.tag} did not exist`
  );
  return { event: "delete", repository: inputs.repository, branch, deleted };
}
function buildOptions(inputs, commit, registry, deps, builder) {
  const tags = [.../* @__PURE__ */ new Set([commitTag(commit), ...inputs.tags])];
  const cacheRepository = inputs.cacheRepository ?? inputs.repository;
  return {
    context: inputs.context,
    ...inputs.dockerfile ? { dockerfile: inputs.dockerfile } : {},
    imageRefs: tags.map((tag) => imageRef(registry, inputs.repository, tag)),
    labels: imageLabels({
      commit,
      sourceUrl: inputs.sourceUrl,
      created: deps.now,
      userLabels: inputs.labels
    }),
    buildArgs: inputs.buildArgs,
    ...inputs.target ? { target: inputs.target } : {},
    platforms: inputs.platforms,
    push: inputs.push,
    // buildx keeps its cache as one tagged artifact; buildah as many images in a repository.
    // A registry cache needs a registry: a local build (push off, no URI) has none.
    ...inputs.cache && registry ? { cacheRef: imageRef(registry, cacheRepository, builder === "docker" ? "buildcache" : void 0) } : {},
    provenance: inputs.provenance,
    resultFile: join(deps.tempDir, builder === "docker" ? "build-metadata.json" : "pushed-digest")
  };
}
function requireValue(value, name) {
  if (value === void 0) throw new InputError(`Input required and not supplied: ${name}`);
  return value;
}

// src/image-build/summary.ts
function renderBuildSummary(result) {
  return result.event === "delete" ? renderDeletion(result) : renderPush(result);
}
function renderPush(result) {
  const lines = [
    `### build-push-ecr: ${code(result.repository)}`,
    "",
    `- **Image**: ${result.image ? code(result.image) : "not pushed (push is off)"}`,
    `- **Commit**: ${code(result.commit)}`,
    `- **Branch**: ${result.branch ? code(result.branch) : "none"}`,
    `- **Builder**: ${result.builder}`,
    `- **Last-good tag**: ${lastGoodLine(result)}`
  ];
  if (result.tags.length > 0) lines.push("", "**Tags**", "", ...result.tags.map((tag) => `- ${code(tag)}`));
  return `${lines.join("\n")}
`;
}
function lastGoodLine(result) {
  if (!result.lastGood) return `not moved: ${result.lastGoodSkipped ?? "nothing was pushed"}`;
  const { tag, outcome, decision } = result.lastGood;
  const what = {
    tagged: "moved to this image",
    "already-tagged": "already on this image",
    kept: "left where it was"
  }[outcome];
  const warning2 = decision.warn ? "**warning**: " : "";
  return `${warning2}${code(tag)} ${what} (${escapeText(decision.reason)})`;
}
function renderDeletion(result) {
  if (!result.branch || !result.deleted) {
    return `### build-push-ecr: ${code(result.repository)}

A tag was deleted: there is no last-good tag to remove.
`;
  }
  const what = result.deleted.removed ? "removed" : "was not there (nothing to remove)";
  return [
    `### build-push-ecr: ${code(result.repository)}`,
    "",
    `Branch ${code(result.branch)} was deleted: its last-good tag ${code(result.deleted.tag)} ${what}. Its sha- tags stay until lifecycle rules expire them.`,
    ""
  ].join("\n");
}
function code(text) {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run2) => run2.length));
  const fence = "`".repeat(longestRun + 1);
  const pad = longestRun > 0 || text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}
function escapeText(text) {
  return text.replace(/[\\`*_[\]<>|]/g, (char) => `\\${char}`);
}

// actions/build-push-ecr/main.ts
var actionsLogger = { info, warning };
async function run(inputs) {
  const runner = createCommandRunner(actionsLogger);
  const tempDir = mkdtempSync(join2(process.env.RUNNER_TEMP ?? tmpdir(), "build-push-ecr-"));
  try {
    const result = await runBuildPushEcr(inputs, {
      ecr: lazyEcrClient(inputs),
      runner,
      log: actionsLogger,
      mask: setSecret,
      now: /* @__PURE__ */ new Date(),
      tempDir,
      git: { runner, cwd: process.env.GITHUB_WORKSPACE ?? process.cwd() }
    });
    writeOutputs(result);
    await summary.addRaw(renderBuildSummary(result)).write();
  } finally {
    rmSync2(tempDir, { recursive: true, force: true });
  }
}
function lazyEcrClient(inputs) {
  let client;
  return () => {
    if (!inputs.awsRegion) {
      throw new InputError('Input "aws-region" is not set, and neither is AWS_REGION in the job environment');
    }
    client ??= createEcrClient({ region: inputs.awsRegion });
    return client;
  };
}
function writeOutputs(result) {
  if (result.event === "delete") {
    for (const name of ["image", "digest", "tags"]) setOutput(name, "");
    return;
  }
  setOutput("image", result.image ?? "");
  setOutput("digest", result.digest ?? "");
  setOutput("tags", result.tags.join("\n"));
}
export {
  run
};
