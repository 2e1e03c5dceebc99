"""The krkn-lib peer: pod kills measured by krkn-lib's pod monitor, as krkn's pod scenarios use it.

One process for all trials (krkn runs its iterations in one process): it reads a line per trial on stdin, kills one
pod of the workload with krkn-lib's delete_pod while the monitor watches the workload's pods, and prints one JSON
line with krkn-lib's own figures (seconds, as krkn-lib gives them) and the driver's start and end (ms since the epoch).
Usage: python krkn_pod_monitor.py KUBECONFIG NAMESPACE LABEL_SELECTOR TIMEOUT_S
"""
import json
import logging
import sys
import time

from krkn_lib.k8s.krkn_kubernetes import KrknKubernetes
from krkn_lib.k8s.pod_monitor import select_and_monitor_by_namespace_pattern_and_label


def now_ms():
    return time.time() * 1000


def trial(kubecli, namespace, selector, timeout):
    start = now_ms()
    # The monitor snapshots the workload's running pods and watches them from that snapshot on.
    future = select_and_monitor_by_namespace_pattern_and_label(
        namespace_pattern=f"^{namespace}$", label_selector=selector, v1_client=kubecli.cli, max_timeout=timeout)
    pods = kubecli.cli.list_namespaced_pod(namespace, label_selector=selector).items
    victim = sorted(p.metadata.name for p in pods if p.metadata.deletion_timestamp is None)[0]
    killed_at = now_ms()
    kubecli.delete_pod(victim, namespace)
    snapshot = future.result()
    status = snapshot.get_pods_status()
    end = now_ms()
    recovered = [{"pod": p.pod_name, "totalRecoveryTimeS": p.total_recovery_time,
                  "podReschedulingTimeS": p.pod_rescheduling_time, "podReadinessTimeS": p.pod_readiness_time}
                 for p in status.recovered]
    unrecovered = [p.pod_name for p in status.unrecovered]
    verdict = "recovered" if recovered and not unrecovered else "unrecovered"
    return {"pod": victim, "startMs": start, "killedAtMs": killed_at, "endMs": end, "verdict": verdict,
            "recovered": recovered, "unrecovered": unrecovered}


def main():
    kubeconfig, namespace, selector, timeout = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    logging.basicConfig(level=logging.WARNING)
    kubecli = KrknKubernetes(kubeconfig_path=kubeconfig)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        if line.strip() != "trial":
            break
        try:
            result = trial(kubecli, namespace, selector, timeout)
        except Exception as error:  # reported as the trial's verdict, the next trial still runs
            result = {"verdict": "error", "error": str(error)}
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
