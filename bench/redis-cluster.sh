#!/usr/bin/env bash
# A local Redis Cluster of three primaries for benchmarks, on 127.0.0.1:7101-7103:
#   bench/redis-cluster.sh start   (then --replica-arg=--spring.data.redis.cluster.nodes=$(bench/redis-cluster.sh nodes))
#   bench/redis-cluster.sh cpu     (each node's used CPU seconds, user+sys)
#   bench/redis-cluster.sh stop
set -euo pipefail
PORTS=(7101 7102 7103)
DIR=${TMPDIR:-/tmp}/chat-bench-redis-cluster

case "${1:-}" in
  start)
    mkdir -p "$DIR"
    for port in "${PORTS[@]}"; do
      redis-server --port "$port" --bind 127.0.0.1 --cluster-enabled yes \
        --cluster-config-file "$DIR/nodes-$port.conf" --save "" --appendonly no \
        --daemonize yes --logfile "$DIR/redis-$port.log" --pidfile "$DIR/redis-$port.pid"
    done
    for port in "${PORTS[@]}"; do
      until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.1; done
    done
    redis-cli --cluster create "${PORTS[@]/#/127.0.0.1:}" --cluster-yes >/dev/null
    until redis-cli -p "${PORTS[0]}" cluster info | grep -q cluster_state:ok; do sleep 0.2; done
    echo "Redis Cluster up: $("$0" nodes)"
    ;;
  nodes)
    (IFS=,; echo "${PORTS[*]/#/127.0.0.1:}")
    ;;
  cpu)
    for port in "${PORTS[@]}"; do
      redis-cli -p "$port" info cpu | tr -d '\r' \
        | awk -F: -v port="$port" '/^used_cpu_(user|sys):/ { s += $2 } END { printf "%s %.2f\n", port, s }'
    done
    ;;
  stop)
    for port in "${PORTS[@]}"; do redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true; done
    rm -rf "$DIR"
    ;;
  *)
    echo "usage: $0 start|nodes|cpu|stop" >&2; exit 2
    ;;
esac
