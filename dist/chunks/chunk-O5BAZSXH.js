import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  deploymentName,
  previewServiceName,
  serviceUrlEnvName
} from "./chunk-R6Y2HZ7J.js";

// src/core/workload.ts
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
    terminationGracePeriodSeconds: MIN_TERMINATION_GRACE_SECONDS,
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

export {
  inClusterUrl,
  colorServiceName,
  liveServiceName,
  deploymentSpecOf,
  supportServiceSpecs,
  liveServiceSpec,
  previewServiceSpec
};
