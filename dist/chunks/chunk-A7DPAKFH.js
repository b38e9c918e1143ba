import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  deploymentName,
  previewServiceName,
  serviceUrlEnvName
} from "./chunk-R6Y2HZ7J.js";
import {
  GreenlightError
} from "./chunk-L2HEXJUQ.js";

// src/core/workload.ts
import { createHash } from "node:crypto";
var MIN_TERMINATION_GRACE_SECONDS = 30;
function inClusterUrl(serviceName, namespace, port) {
  return `http://${serviceName}.${namespace}.svc.cluster.local:${port}`;
}
function colorServiceName(service, color) {
  return `${service}-${color}`;
}
function liveServiceName(service) {
  return service;
}
function deploymentSpecOf(planned, catalogService, ports, context) {
  const provenance = {
    digest: planned.digest,
    ...planned.selector.kind === "branch" ? { branch: planned.selector.branch } : {},
    ...planned.commit === void 0 ? {} : { commit: planned.commit },
    ...context.runUrl === void 0 ? {} : { runUrl: context.runUrl }
  };
  return {
    name: deploymentName(planned.service, context.color),
    service: planned.service,
    group: context.group,
    color: context.color,
    releaseId: context.releaseId,
    image: planned.image,
    provenance,
    replicas: planned.replicas,
    desiredReplicas: planned.replicas,
    port: catalogService.port,
    env: serviceEnv(catalogService, provenance, ports, context),
    readinessPath: catalogService.readinessPath,
    livenessPath: catalogService.livenessPath,
    resources: catalogService.resources,
    terminationGracePeriodSeconds: MIN_TERMINATION_GRACE_SECONDS + catalogService.preStopSleepSeconds,
    preStopSleepSeconds: catalogService.preStopSleepSeconds,
    progressDeadlineSeconds: context.progressDeadlineSeconds
  };
}
function serviceEnv(service, provenance, ports, context) {
  const identity = [
    ["GREENLIGHT_COLOR", context.color],
    ["GREENLIGHT_DIGEST", provenance.digest],
    ["GREENLIGHT_BRANCH", provenance.branch ?? ""],
    ["GREENLIGHT_COMMIT", provenance.commit ?? ""]
  ];
  const callees = service.calls.map((callee) => [
    serviceUrlEnvName(callee),
    inClusterUrl(colorServiceName(callee, context.color), context.namespace, ports.get(callee) ?? 80)
  ]);
  return [...Object.entries(service.env), ...identity, ...callees];
}
function supportServiceSpecs(service, group, standby) {
  const base = { service: service.name, group, port: service.port, type: "ClusterIP" };
  return [
    { ...base, name: colorServiceName(service.name, "blue"), role: "color", color: "blue" },
    { ...base, name: colorServiceName(service.name, "green"), role: "color", color: "green" },
    previewServiceSpec(service, group, standby)
  ];
}
function liveServiceSpec(service, group, color) {
  return {
    name: liveServiceName(service.name),
    service: service.name,
    group,
    role: "live",
    color,
    port: service.port,
    type: service.serviceType
  };
}
function previewServiceSpec(service, group, standby) {
  return {
    name: previewServiceName(service.name),
    service: service.name,
    group,
    role: "preview",
    color: standby,
    port: service.port,
    type: "ClusterIP"
  };
}
function serviceSpecHash(spec) {
  const canonical = [spec.name, spec.service, spec.group, spec.role, spec.color, spec.port, spec.type].join(
    "\n"
  );
  return createHash("sha256").update(canonical).digest("hex").slice(0, 16);
}
function servicesToApply(specs, existing) {
  const held = new Map(existing.map((service) => [service.name, service.specHash]));
  return specs.filter((spec) => held.get(spec.name) !== serviceSpecHash(spec));
}

// src/core/ports.ts
var ConflictError = class extends GreenlightError {
  name = "ConflictError";
  constructor(message, options = {}) {
    super(message, { kind: "record-conflict", cause: options.cause });
  }
};

// src/core/lock.ts
var LOCK_LEASE_NAME = "greenlight-lock";
var DEFAULT_LEASE_DURATION_MS = 15e3;
var RENEW_FRACTION = 3;
function decideLease(lease, me, now) {
  if (!lease?.holder || lease.holder === me) return { action: "take" };
  const expiresAt = leaseExpiry(lease);
  if (expiresAt < now) return { action: "take-over", previousHolder: lease.holder };
  return { action: "wait", holder: lease.holder, expiresAt };
}
function leaseExpiry(lease) {
  return (lease.renewedAt ?? lease.acquiredAt ?? 0) + lease.durationMs;
}
function holderMayWrite(lastRenewedAt, durationMs, now) {
  return now < lastRenewedAt + durationMs - durationMs / RENEW_FRACTION;
}
function heldLease(me, now, previous, durationMs) {
  const changedHands = previous?.holder !== me;
  return {
    holder: me,
    acquiredAt: changedHands ? now : previous?.acquiredAt ?? now,
    renewedAt: now,
    durationMs,
    transitions: (previous?.transitions ?? 0) + (changedHands && previous?.holder ? 1 : 0)
  };
}

export {
  MIN_TERMINATION_GRACE_SECONDS,
  inClusterUrl,
  colorServiceName,
  liveServiceName,
  deploymentSpecOf,
  supportServiceSpecs,
  liveServiceSpec,
  previewServiceSpec,
  serviceSpecHash,
  servicesToApply,
  ConflictError,
  LOCK_LEASE_NAME,
  DEFAULT_LEASE_DURATION_MS,
  RENEW_FRACTION,
  decideLease,
  holderMayWrite,
  heldLease
};
