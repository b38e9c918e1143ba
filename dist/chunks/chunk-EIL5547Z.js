import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  ChangeSignal,
  keepWatching
} from "./chunk-2REIP6HU.js";
import {
  FIELD_MANAGER,
  KubeError,
  LABEL_COLOR,
  LABEL_MANAGED_BY,
  LABEL_RECORD,
  MANAGED_BY,
  MANAGED_SELECTOR,
  PatchStrategy,
  RECORD_DATA_KEY,
  asConflict,
  createKubeClient,
  deploymentManifest,
  kubeCall,
  kubeCreate,
  kubeRead,
  leaseManifest,
  observeDeployment,
  observeEndpointSlice,
  observeEvent,
  observePod,
  observeService,
  pRetry,
  recordManifest,
  recordName,
  serviceManifest,
  setHeaderOptions
} from "./chunk-NME52WII.js";
import {
  LOCK_LEASE_NAME
} from "./chunk-A7DPAKFH.js";
import {
  createEcrClient,
  ecrImageRegistry
} from "./chunk-IQQIDYJJ.js";
import {
  ACCEPTED_MANIFEST_TYPES,
  RegistryError
} from "./chunk-XHBTLDLT.js";
import {
  EngineError,
  GreenlightError,
  InputError
} from "./chunk-L2HEXJUQ.js";

// src/wiring/connect.ts
import { hostname, userInfo } from "node:os";
import { setTimeout as delay } from "node:timers/promises";

// src/kube/cluster.ts
var apply = (options) => setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply, options);
var merge = (options) => setHeaderOptions("Content-Type", PatchStrategy.MergePatch, options);
var MAX_EVENT_OBJECTS = 6;
function kubeGroupCluster(client, namespace) {
  const ns = namespace;
  const listDeployments = () => kubeCall(
    client,
    `list the Deployments in ${ns}`,
    (options) => client.apps.listNamespacedDeployment({ namespace: ns, labelSelector: MANAGED_SELECTOR }, options),
    { retry: "safe" }
  );
  const listPods = () => kubeCall(
    client,
    `list the pods in ${ns}`,
    (options) => client.core.listNamespacedPod({ namespace: ns, labelSelector: MANAGED_SELECTOR }, options),
    { retry: "safe" }
  );
  const listSlices = () => kubeCall(
    client,
    `list the EndpointSlices in ${ns}`,
    (options) => client.discovery.listNamespacedEndpointSlice(
      { namespace: ns, labelSelector: MANAGED_SELECTOR },
      options
    ),
    { retry: "safe" }
  );
  return {
    namespace,
    server: client.server,
    async readGroupObjects() {
      const namespaceExists = await readNamespaceExists(client, ns);
      if (namespaceExists === false) return { namespaceExists, deployments: [], services: [] };
      const [deployments, services] = await Promise.all([
        listDeployments(),
        kubeCall(
          client,
          `list the Services in ${ns}`,
          (options) => client.core.listNamespacedService({ namespace: ns, labelSelector: MANAGED_SELECTOR }, options),
          { retry: "safe" }
        )
      ]);
      return {
        namespaceExists,
        deployments: deployments.items.map(observeDeployment),
        services: services.items.map(observeService)
      };
    },
    async readRolloutSnapshot() {
      const [deployments, pods, slices] = await Promise.all([listDeployments(), listPods(), listSlices()]);
      return {
        deployments: deployments.items.map(observeDeployment),
        pods: pods.items.map(observePod),
        endpointSlices: slices.items.map(observeEndpointSlice)
      };
    },
    watchRollout(signal) {
      return watchRolloutSnapshots(client, ns, { listDeployments, listPods, listSlices }, signal);
    },
    async readEvents(objectNames) {
      const wanted = objectNames.slice(0, MAX_EVENT_OBJECTS);
      const lists = await Promise.all(wanted.map((name) => listEventsOf(client, ns, name)));
      return lists.flatMap((list) => list.items.map(observeEvent)).sort((a, b) => (b.lastSeen ?? "").localeCompare(a.lastSeen ?? ""));
    },
    async createNamespace(signal) {
      try {
        await kubeCall(
          client,
          `create namespace ${ns}`,
          (options) => client.core.createNamespace(
            { body: { metadata: { name: ns, labels: { "app.kubernetes.io/managed-by": "greenlight" } } } },
            options
          ),
          { retry: "safe", signal }
        );
      } catch (error) {
        if (error instanceof KubeError && error.code === 409) return;
        throw error;
      }
    },
    async applyDeployment(spec, signal) {
      const applied = await kubeCall(
        client,
        `apply Deployment ${spec.name} in ${ns}`,
        (options) => client.apps.patchNamespacedDeployment(
          {
            name: spec.name,
            namespace: ns,
            body: deploymentManifest(spec, ns),
            fieldManager: FIELD_MANAGER,
            force: true
          },
          apply(options)
        ),
        { retry: "safe", signal }
      );
      return observeDeployment(applied);
    },
    async applyService(spec, signal) {
      const applied = await kubeCall(
        client,
        `apply Service ${spec.name} in ${ns}`,
        (options) => client.core.patchNamespacedService(
          {
            name: spec.name,
            namespace: ns,
            body: serviceManifest(spec, ns),
            fieldManager: FIELD_MANAGER,
            force: true
          },
          apply(options)
        ),
        { retry: "safe", signal }
      );
      return observeService(applied);
    },
    async selectServiceColor(name, color, signal) {
      const patched = await kubeCall(
        client,
        `switch Service ${name} in ${ns} to ${color}`,
        (options) => client.core.patchNamespacedService(
          {
            name,
            namespace: ns,
            body: { spec: { selector: { [LABEL_COLOR]: color } } },
            fieldManager: FIELD_MANAGER
          },
          merge(options)
        ),
        { retry: "safe", signal }
      );
      return observeService(patched);
    },
    async scaleDeployment(name, replicas, signal) {
      await kubeCall(
        client,
        `scale Deployment ${name} in ${ns} to ${replicas}`,
        (options) => client.apps.patchNamespacedDeploymentScale(
          { name, namespace: ns, body: { spec: { replicas } }, fieldManager: FIELD_MANAGER },
          merge(options)
        ),
        // A merge patch that sets one number: sending it again sets the same number.
        { retry: "safe", signal }
      );
    },
    async deleteService(name, signal) {
      await kubeRead(
        client,
        `delete Service ${name} in ${ns}`,
        (options) => client.core.deleteNamespacedService({ name, namespace: ns }, options),
        { signal }
      );
    }
  };
}
function listEventsOf(client, namespace, name) {
  return kubeCall(
    client,
    `read the events of ${name}`,
    (options) => client.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name}` }, options),
    { retry: "safe" }
  );
}
async function readNamespaceExists(client, namespace) {
  try {
    const found = await kubeRead(
      client,
      `read namespace ${namespace}`,
      (options) => client.core.readNamespace({ name: namespace }, options)
    );
    return found !== void 0;
  } catch (error) {
    if (error instanceof KubeError && error.code === 403) return void 0;
    throw error;
  }
}
async function* watchRolloutSnapshots(client, namespace, lists, outer) {
  const stop = new AbortController();
  const signal = AbortSignal.any([outer, stop.signal]);
  const change = new ChangeSignal();
  const deployments = /* @__PURE__ */ new Map();
  const pods = /* @__PURE__ */ new Map();
  const slices = /* @__PURE__ */ new Map();
  const onError = (error) => change.fail(error);
  const base = (kind) => kind === "deployments" ? `/apis/apps/v1` : kind === "pods" ? "/api/v1" : "/apis/discovery.k8s.io/v1";
  const path = (kind) => `${base(kind)}/namespaces/${namespace}/${kind}`;
  try {
    await Promise.all([
      keepWatching(
        client,
        {
          what: "Deployments",
          path: path("deployments"),
          labelSelector: MANAGED_SELECTOR,
          list: lists.listDeployments
        },
        deployments,
        change.notify,
        signal,
        onError
      ),
      keepWatching(
        client,
        { what: "pods", path: path("pods"), labelSelector: MANAGED_SELECTOR, list: lists.listPods },
        pods,
        change.notify,
        signal,
        onError
      ),
      keepWatching(
        client,
        {
          what: "EndpointSlices",
          path: path("endpointslices"),
          labelSelector: MANAGED_SELECTOR,
          list: lists.listSlices
        },
        slices,
        change.notify,
        signal,
        onError
      )
    ]);
    while (await change.next(signal)) {
      yield {
        deployments: [...deployments.values()].map(observeDeployment),
        pods: [...pods.values()].map(observePod),
        endpointSlices: [...slices.values()].map(observeEndpointSlice)
      };
    }
  } finally {
    stop.abort();
  }
}

// src/kube/lease.ts
function kubeLeaseStore(client, namespace) {
  const where = `the lock Lease ${namespace}/${LOCK_LEASE_NAME}`;
  return {
    async read() {
      const lease = await kubeRead(
        client,
        `read ${where}`,
        (options) => client.coordination.readNamespacedLease({ name: LOCK_LEASE_NAME, namespace }, options)
      );
      return lease ? storedLeaseOf(lease) : void 0;
    },
    async create(lease, signal) {
      const body = leaseManifest(lease, namespace);
      try {
        return storedLeaseOf(
          await kubeCreate(
            client,
            `create ${where}`,
            {
              create: (options) => client.coordination.createNamespacedLease({ namespace, body }, options),
              readBack: (options) => client.coordination.readNamespacedLease({ name: LOCK_LEASE_NAME, namespace }, options),
              // Holder names are unique per run: a Lease that names us is the one we created.
              isOurs: (found) => lease.holder !== void 0 && found.spec?.holderIdentity === lease.holder
            },
            { signal }
          )
        );
      } catch (error) {
        throw asMissingNamespace(asConflict(error), namespace);
      }
    },
    async update(stored, lease, signal) {
      try {
        return storedLeaseOf(
          await kubeCall(
            client,
            `update ${where}`,
            (options) => client.coordination.replaceNamespacedLease(
              {
                name: LOCK_LEASE_NAME,
                namespace,
                body: leaseManifest(lease, namespace, stored.version)
              },
              options
            ),
            { retry: "safe", signal }
          )
        );
      } catch (error) {
        throw asConflict(error);
      }
    }
  };
}
function timeOf(value) {
  if (value === void 0 || value === null) return void 0;
  const ms = value instanceof Date ? value.getTime() : Date.parse(String(value));
  return Number.isFinite(ms) ? ms : void 0;
}
function storedLeaseOf(lease) {
  const spec = lease.spec ?? {};
  const acquiredAt = timeOf(spec.acquireTime);
  const renewedAt = timeOf(spec.renewTime);
  const state = {
    ...spec.holderIdentity ? { holder: spec.holderIdentity } : {},
    ...acquiredAt === void 0 ? {} : { acquiredAt },
    ...renewedAt === void 0 ? {} : { renewedAt },
    durationMs: (spec.leaseDurationSeconds ?? 15) * 1e3,
    transitions: spec.leaseTransitions ?? 0
  };
  return { lease: state, version: lease.metadata?.resourceVersion ?? "" };
}
function asMissingNamespace(error, namespace) {
  if (!(error instanceof KubeError && error.code === 404)) return error;
  return new EngineError(
    "namespace-missing",
    `namespace ${namespace} does not exist: nothing of this group is deployed there`,
    { cause: error }
  );
}

// src/kube/records.ts
var RECORD_SELECTOR = `${LABEL_MANAGED_BY}=${MANAGED_BY},${LABEL_RECORD}=release`;
function kubeReleaseStore(client, namespace) {
  return {
    async list() {
      const list = await kubeCall(
        client,
        `list the release records in ${namespace}`,
        (options) => client.core.listNamespacedConfigMap({ namespace, labelSelector: RECORD_SELECTOR }, options),
        { retry: "safe" }
      );
      return list.items.flatMap((item) => {
        const stored = storedOf(item);
        return stored ? [stored] : [];
      });
    },
    async create(record, signal) {
      const name = recordName(record.id);
      const body = recordManifest(record, namespace);
      try {
        const created = await kubeCreate(
          client,
          `create the release record ${name}`,
          {
            create: (options) => client.core.createNamespacedConfigMap({ namespace, body }, options),
            readBack: (options) => client.core.readNamespacedConfigMap({ name, namespace }, options),
            // The record's text holds its times to the millisecond: equal text is this create's.
            isOurs: (found) => found.data?.[RECORD_DATA_KEY] === body.data?.[RECORD_DATA_KEY]
          },
          { signal }
        );
        return requireStored(created);
      } catch (error) {
        throw asConflict(error);
      }
    },
    async update(stored, record, signal) {
      try {
        const updated = await kubeCall(
          client,
          `update the release record ${recordName(record.id)}`,
          (options) => client.core.replaceNamespacedConfigMap(
            {
              name: recordName(record.id),
              namespace,
              body: recordManifest(record, namespace, stored.version)
            },
            options
          ),
          // Naming the resourceVersion makes a repeat harmless: it is refused, not applied twice.
          { retry: "safe", signal }
        );
        return requireStored(updated);
      } catch (error) {
        throw asConflict(error);
      }
    },
    async delete(id, signal) {
      await kubeRead(
        client,
        `delete the release record ${recordName(id)}`,
        (options) => client.core.deleteNamespacedConfigMap({ name: recordName(id), namespace }, options),
        { signal }
      );
    }
  };
}
function storedOf(configMap) {
  const text = configMap.data?.[RECORD_DATA_KEY];
  const version = configMap.metadata?.resourceVersion;
  if (!text || !version) return void 0;
  try {
    const record = JSON.parse(text);
    if (typeof record.id !== "string" || !Array.isArray(record.services)) return void 0;
    return { record, version };
  } catch {
    return void 0;
  }
}
function requireStored(configMap) {
  const stored = storedOf(configMap);
  if (!stored)
    throw new GreenlightError(`the API server returned an unreadable record ${configMap.metadata?.name}`);
  return stored;
}

// src/registry/oci.ts
function openOciRegistry(connection) {
  const explicit = /^(https?):\/\/(.+?)\/?$/.exec(connection.registry);
  const host = explicit?.[2] ?? connection.registry.replace(/\/+$/, "");
  const loopback = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(host);
  const scheme = explicit?.[1] ?? (loopback ? "http" : "https");
  return { host, baseUrl: `${scheme}://${host}`, connection, tokens: /* @__PURE__ */ new Map() };
}
async function manifestDigest(registry, repository, reference) {
  const response = await request(registry, repository, `/v2/${repository}/manifests/${reference}`, {
    method: "HEAD",
    headers: { Accept: ACCEPTED_MANIFEST_TYPES.join(", ") }
  });
  if (response.status === 404) return void 0;
  expectOk(response, registry, `read the manifest ${repository}:${reference}`);
  const digest = response.headers.get("docker-content-digest");
  if (!digest) {
    throw new RegistryError(
      "invalid",
      `${registry.host} answered for ${repository}:${reference} without a Docker-Content-Digest header`
    );
  }
  return digest;
}
async function listTags(registry, repository) {
  const tags = [];
  let path = `/v2/${repository}/tags/list?n=1000`;
  for (let page = 0; path && page < (registry.connection.maxTagPages ?? 20); page++) {
    const response = await request(registry, repository, path, { method: "GET" });
    if (response.status === 404) {
      throw new RegistryError(
        "repository-not-found",
        `the repository ${repository} does not exist in ${registry.host}`,
        {
          hint: "push an image to it first (build-push-ecr, or skopeo/docker push), or check the repository name in groups/services.yaml"
        }
      );
    }
    expectOk(response, registry, `list the tags of ${repository}`);
    const body = await jsonOf(response, `${registry.host} answered the tag list of ${repository}`);
    if (Array.isArray(body.tags))
      tags.push(...body.tags.filter((tag) => typeof tag === "string"));
    path = nextPage(response.headers.get("link"));
  }
  return tags;
}
function ociImageRegistry(registry) {
  return {
    description: `registry ${registry.host}`,
    async lookup(repository, reference) {
      const digest = await manifestDigest(registry, repository, reference);
      if (digest === void 0) return void 0;
      const commit = await revisionLabel(registry, repository, digest);
      return { digest, host: registry.host, ...commit === void 0 ? {} : { commit } };
    },
    listTags: (repository) => listTags(registry, repository)
  };
}
var REVISION_LABEL = "org.opencontainers.image.revision";
async function revisionLabel(registry, repository, digest) {
  try {
    let manifest = await getJson(registry, repository, `/v2/${repository}/manifests/${digest}`, true);
    const first = manifest.manifests?.[0]?.digest;
    if (typeof first === "string") {
      manifest = await getJson(registry, repository, `/v2/${repository}/manifests/${first}`, true);
    }
    const config = manifest.config?.digest;
    if (typeof config !== "string") return void 0;
    const blob = await getJson(registry, repository, `/v2/${repository}/blobs/${config}`, false);
    const labels = blob.config?.Labels;
    const revision = labels?.[REVISION_LABEL];
    return typeof revision === "string" && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(revision) ? revision : void 0;
  } catch {
    return void 0;
  }
}
var MAX_JSON_BYTES = 4 * 1024 * 1024;
async function getJson(registry, repository, path, manifest) {
  const response = await request(registry, repository, path, {
    method: "GET",
    ...manifest ? { headers: { Accept: ACCEPTED_MANIFEST_TYPES.join(", ") } } : {}
  });
  expectOk(response, registry, `read ${path}`);
  const text = await response.text();
  if (text.length > MAX_JSON_BYTES) throw new RegistryError("invalid", `${path} is larger than 4 MiB`);
  const parsed = JSON.parse(text);
  if (typeof parsed !== "object" || parsed === null)
    throw new RegistryError("invalid", `${path} is not JSON`);
  return parsed;
}
function nextPage(link) {
  const match = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link) : null;
  if (!match?.[1]) return void 0;
  return match[1].startsWith("/") ? match[1] : new URL(match[1]).pathname + new URL(match[1]).search;
}
function expectOk(response, registry, attempted) {
  if (response.ok) return;
  if (response.status === 401 || response.status === 403) {
    throw new RegistryError(
      "access-denied",
      `could not ${attempted} in ${registry.host}: access denied (HTTP ${response.status})`,
      {
        hint: "check the registry credentials (REGISTRY_USERNAME/REGISTRY_PASSWORD for the CLI) and that they may pull this repository"
      }
    );
  }
  const kind = response.status === 429 || response.status >= 500 ? "unavailable" : "invalid";
  throw new RegistryError(
    kind,
    `could not ${attempted} in ${registry.host}: HTTP ${response.status} ${response.statusText}`
  );
}
async function request(registry, repository, path, init) {
  const scope = `repository:${repository}:pull`;
  const known = registry.tokens.get(scope);
  const first = await send(registry, path, init, known ? await known : void 0);
  if (first.status !== 401) return first;
  const challenge = parseChallenge(first.headers.get("www-authenticate"));
  if (!challenge) return first;
  if (known && registry.tokens.get(scope) === known) registry.tokens.delete(scope);
  return send(registry, path, init, await tokenFor(registry, challenge, scope));
}
function tokenFor(registry, challenge, scope) {
  const pending = registry.tokens.get(scope);
  if (pending) return pending;
  const token = fetchToken(registry, challenge, scope);
  registry.tokens.set(scope, token);
  token.catch(() => registry.tokens.delete(scope));
  return token;
}
async function jsonOf(response, what) {
  const text = await response.text();
  try {
    const parsed = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null) return parsed;
  } catch {
  }
  throw new RegistryError("invalid", `${what} with something that is not JSON (${text.length} bytes)`);
}
var MAX_ATTEMPTS = 4;
var MAX_RETRY_AFTER_MS = 1e4;
var RETRYABLE_STATUS = /* @__PURE__ */ new Set([429, 500, 502, 503, 504]);
var RetryableAnswer = class extends Error {
  response;
  constructor(response) {
    super(`HTTP ${response.status}`);
    this.response = response;
  }
};
async function send(registry, path, init, token) {
  try {
    return await pRetry(
      async () => {
        const response = await sendOnce(registry, path, init, token);
        if (!RETRYABLE_STATUS.has(response.status)) return response;
        throw new RetryableAnswer(response);
      },
      {
        retries: MAX_ATTEMPTS - 1,
        minTimeout: 200,
        maxTimeout: 2e3,
        randomize: true,
        onFailedAttempt: async ({ error, retriesLeft }) => {
          if (!(error instanceof RetryableAnswer) || retriesLeft === 0) return;
          await error.response.body?.cancel();
          const wait = retryAfterMs(error.response.headers.get("retry-after"));
          if (wait !== void 0) await new Promise((resolve) => setTimeout(resolve, wait));
        }
      }
    );
  } catch (error) {
    if (error instanceof RetryableAnswer) return error.response;
    throw error;
  }
}
function retryAfterMs(value, now = Date.now()) {
  if (!value) return void 0;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1e3 : Date.parse(value) - now;
  if (!Number.isFinite(ms) || ms < 0) return void 0;
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}
async function sendOnce(registry, path, init, token) {
  const headers = new Headers(init.headers);
  if (token) headers.set("Authorization", `Bearer ${token}`);
  else if (registry.connection.credentials)
    headers.set("Authorization", basicAuth(registry.connection.credentials));
  try {
    return await fetch(`${registry.baseUrl}${path}`, {
      ...init,
      headers,
      redirect: "follow",
      signal: AbortSignal.timeout(registry.connection.timeoutMs ?? 15e3)
    });
  } catch (error) {
    throw new RegistryError(
      "unavailable",
      `could not reach the registry ${registry.baseUrl}: ${causeOf(error)}`,
      {
        cause: error
      }
    );
  }
}
function causeOf(error) {
  if (error instanceof Error && error.cause instanceof Error) return error.cause.message;
  return error instanceof Error ? error.message : String(error);
}
function basicAuth(credentials) {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
}
function parseChallenge(header) {
  if (!header || !/^bearer\s/i.test(header)) return void 0;
  const params = /* @__PURE__ */ new Map();
  for (const match of header.slice(7).matchAll(/(\w+)="([^"]*)"/g)) {
    if (match[1] && match[2] !== void 0) params.set(match[1].toLowerCase(), match[2]);
  }
  const realm = params.get("realm");
  if (!realm) return void 0;
  const service = params.get("service");
  const scope = params.get("scope");
  return { realm, ...service === void 0 ? {} : { service }, ...scope === void 0 ? {} : { scope } };
}
async function fetchToken(registry, challenge, scope) {
  const url = new URL(challenge.realm);
  if (challenge.service) url.searchParams.set("service", challenge.service);
  url.searchParams.set("scope", challenge.scope ?? scope);
  const headers = registry.connection.credentials ? { Authorization: basicAuth(registry.connection.credentials) } : {};
  let response;
  try {
    response = await fetch(url, {
      headers,
      signal: AbortSignal.timeout(registry.connection.timeoutMs ?? 15e3)
    });
  } catch (error) {
    throw new RegistryError(
      "unavailable",
      `could not reach the token service ${url.origin}: ${causeOf(error)}`,
      {
        cause: error
      }
    );
  }
  if (!response.ok) {
    throw new RegistryError(
      "access-denied",
      `the token service of ${registry.host} refused a pull token (HTTP ${response.status})`,
      {
        hint: "check the registry credentials and that they may pull this repository"
      }
    );
  }
  const body = await jsonOf(response, `the token service of ${registry.host} answered`);
  const token = typeof body.token === "string" ? body.token : body.access_token;
  if (typeof token !== "string")
    throw new RegistryError("invalid", `the token service of ${registry.host} returned no token`);
  return token;
}

// src/wiring/connect.ts
function connectRegistry(options) {
  const { env } = options;
  if (options.registry !== "ecr") {
    const { REGISTRY_USERNAME: username, REGISTRY_PASSWORD: password } = env;
    return ociImageRegistry(
      openOciRegistry({
        registry: options.registry,
        ...username && password ? { credentials: { username, password } } : {}
      })
    );
  }
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new InputError("resolving images in ECR needs an AWS region", {
      hint: "set AWS_REGION (the CLI) or the aws-region input (the action), or pass --registry HOST for another registry"
    });
  }
  const endpoint = env.AWS_ENDPOINT_URL_ECR ?? env.AWS_ENDPOINT_URL;
  const {
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    AWS_SESSION_TOKEN: sessionToken
  } = env;
  return ecrImageRegistry(
    createEcrClient({
      region,
      ...endpoint ? { endpoint } : {},
      ...accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey, ...sessionToken ? { sessionToken } : {} } } : {}
    }),
    region
  );
}
function connectKube(env, kubeconfigPath) {
  const path = kubeconfigPath ?? env.KUBECONFIG;
  return createKubeClient(path ? { kubeconfigPath: path } : {});
}
var systemClock = {
  now: () => Date.now(),
  // rejects with the signal's own reason (node's timer rejects with an AbortError)
  sleep: async (ms, signal) => {
    try {
      await delay(ms, void 0, signal ? { signal } : {});
    } catch (error) {
      throw signal?.aborted ? signal.reason : error;
    }
  }
};
function runContextFrom(env) {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = env;
  const runUrl = server && repository && runId ? `${server}/${repository}/actions/runs/${runId}` : void 0;
  const actor = env.GITHUB_ACTOR ?? `${safeUser()}@${hostname()}`;
  return { actor, ...runUrl ? { runUrl } : {} };
}
function safeUser() {
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}
function engineDepsFor(client, namespace, log, run) {
  return {
    cluster: kubeGroupCluster(client, namespace),
    records: kubeReleaseStore(client, namespace),
    leases: kubeLeaseStore(client, namespace),
    clock: systemClock,
    log,
    run,
    recordsOf: (other) => kubeReleaseStore(client, other)
  };
}
function lazyRegistry(connect) {
  let registry;
  const get = () => {
    registry ??= connect();
    return registry;
  };
  return {
    get description() {
      return get().description;
    },
    lookup: (repository, reference) => get().lookup(repository, reference),
    listTags: (repository) => get().listTags(repository)
  };
}

export {
  connectRegistry,
  connectKube,
  systemClock,
  runContextFrom,
  engineDepsFor,
  lazyRegistry
};
