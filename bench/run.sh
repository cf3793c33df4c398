#!/usr/bin/env bash
# Runs the benchmark from the repository root: raises the open-files limit (the bench and
# each replica hold one descriptor per connection), picks a JDK >= 21, and starts
# bench/target/chat-bench.jar with the given flags (see bench/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

soft=$(ulimit -n)
hard=$(ulimit -Hn)
if [ "$soft" != unlimited ] && [ "$soft" -lt 30000 ]; then
  if [ "$hard" = unlimited ] || [ "$hard" -ge 30000 ]; then ulimit -n 30000; else ulimit -n "$hard"; fi
fi
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 12000 ]; then
  echo "warning: open-files limit $(ulimit -n) is too low for the idle workload (10000 connections)" >&2
fi

# shellcheck source=../tools/jdk.sh
. tools/jdk.sh
if ! jdk=$(find_jdk); then echo "no JDK >= $MIN_JAVA found (set JAVA_HOME)" >&2; exit 2; fi
JAVA="$jdk/bin/java"
if [ ! -f bench/target/chat-bench.jar ] || [ ! -f chat-service/target/chat-service-0.1.0-SNAPSHOT.jar ]; then
  echo "build first: ./mvnw -q -B -DskipTests package -pl chat-service,bench -am" >&2; exit 2
fi
echo "java: $JAVA; open files: $(ulimit -n); load: $(cut -d' ' -f1-3 /proc/loadavg)"
exec "$JAVA" -Xmx2g -jar bench/target/chat-bench.jar "$@"
