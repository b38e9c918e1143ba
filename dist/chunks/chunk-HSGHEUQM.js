import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);

// src/image-build/options.ts
var BUILDER_CHOICES = ["auto", "docker", "buildah"];
function imageLabels(metadata) {
  const ours = [
    `org.opencontainers.image.revision=${metadata.commit}`,
    ...metadata.sourceUrl ? [`org.opencontainers.image.source=${metadata.sourceUrl}`] : [],
    `org.opencontainers.image.created=${metadata.created.toISOString()}`
  ];
  const userKeys = new Set(metadata.userLabels.map(labelKey));
  return [...ours.filter((label) => !userKeys.has(labelKey(label))), ...metadata.userLabels];
}
function labelKey(label) {
  return label.slice(0, label.indexOf("="));
}
function imageRef(registry, repository, tag) {
  return `${registry ? `${registry}/` : ""}${repository}${tag ? `:${tag}` : ""}`;
}

export {
  BUILDER_CHOICES,
  imageLabels,
  imageRef
};
