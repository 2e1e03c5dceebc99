#!/usr/bin/env bash
# The kubectl peer: one pod kill and its recovery as a user would script it with kubectl alone, timed by the script.
# Usage: kubectl-pod-kill.sh KUBECTL NAMESPACE APP REPLICAS MODE
#   MODE rollout:   kubectl delete pod, then kubectl rollout status and kubectl wait --for=condition=Ready
#   MODE endpoints: kubectl delete pod, then poll the Service's EndpointSlices until REPLICAS endpoints are ready
# Prints one JSON line: the pod, the script's start and end (ms since the epoch), its recovery and its verdict.
set -u
kubectl="$1" namespace="$2" app="$3" replicas="$4" mode="$5"
k() { "$kubectl" --namespace "$namespace" "$@"; }
now() { date +%s%3N; }

pod=$(k get pods -l "app=$app" -o jsonpath='{.items[0].metadata.name}')
start=$(now)
verdict=recovered
k delete pod "$pod" >/dev/null || verdict=error
if [ "$verdict" = recovered ]; then
  case "$mode" in
    rollout)
      k rollout status "deployment/$app" --timeout=60s >/dev/null \
        && k wait --for=condition=Ready pod -l "app=$app" --timeout=60s >/dev/null || verdict=timeout
      ;;
    endpoints)
      deadline=$(( $(now) + 60000 ))
      while :; do
        ready=$(k get endpointslices -l "kubernetes.io/service-name=$app" \
          -o jsonpath='{range .items[*].endpoints[?(@.conditions.ready==true)]}x{end}')
        [ "${#ready}" -ge "$replicas" ] && break
        [ "$(now)" -ge "$deadline" ] && { verdict=timeout; break; }
        sleep 0.1
      done
      ;;
    *) echo "unknown mode $mode" >&2; exit 2 ;;
  esac
fi
end=$(now)
printf '{"pod":"%s","startMs":%s,"endMs":%s,"recoveryMs":%s,"verdict":"%s"}\n' "$pod" "$start" "$end" "$((end - start))" "$verdict"
