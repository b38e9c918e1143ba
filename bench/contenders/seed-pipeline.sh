#!/usr/bin/env bash
# The second seed's blue/green pipeline with kubectl, for every service of a group:
#   deploy:  identify live (the live Service's color), apply the standby color's
#            Deployment and Service, wait with `kubectl rollout status`
#   promote: switch the live Service's selector to the standby color (`kubectl patch`)
# PARALLELISM services at a time through xargs: 1 is the seed's one-after-another,
# 8 the same pipeline in parallel.
#
#   seed-pipeline.sh deploy|promote PARALLELISM SERVICES_FILE
#
# Environment: KUBECTL, KUBECONFIG_PATH, KUBECTL_CACHE, NAMESPACE, MANIFESTS (holds
# <svc>-blue.yaml and <svc>-green.yaml), STATE (the standby color per service, written
# by deploy, read by promote), ROLLOUT_TIMEOUT (e.g. 300s).
set -euo pipefail

k() {
  "$KUBECTL" --kubeconfig="$KUBECONFIG_PATH" --cache-dir="$KUBECTL_CACHE" --namespace="$NAMESPACE" \
    --request-timeout=60s "$@"
}

deploy_one() {
  local svc=$1 live standby
  live="$(k get service "$svc" -o 'jsonpath={.spec.selector.color}')"
  case $live in
    blue) standby=green ;;
    green) standby=blue ;;
    *) echo "$svc: the live Service selects color '$live', neither blue nor green" >&2; return 1 ;;
  esac
  k apply -f "$MANIFESTS/$svc-$standby.yaml" >/dev/null
  k rollout status "deployment/$svc-$standby" --timeout="$ROLLOUT_TIMEOUT" >/dev/null
  printf '%s\n' "$standby" >"$STATE/$svc"
}

promote_one() {
  local svc=$1 standby
  standby="$(cat "$STATE/$svc")"
  k patch service "$svc" --type=merge -p "{\"spec\":{\"selector\":{\"color\":\"$standby\"}}}" >/dev/null
}

case ${1:-} in
  deploy | promote)
    [[ $# -eq 3 ]] || { echo "usage: $0 deploy|promote PARALLELISM SERVICES_FILE" >&2; exit 2; }
    exec xargs -P "$2" -n 1 -- bash "$0" "$1-one" <"$3"
    ;;
  deploy-one) deploy_one "$2" ;;
  promote-one) promote_one "$2" ;;
  *) echo "usage: $0 deploy|promote PARALLELISM SERVICES_FILE" >&2; exit 2 ;;
esac
