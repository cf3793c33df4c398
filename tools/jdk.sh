# Finding a JDK new enough for the project, written once and sourced by ./mvnw,
# .ci/run and bench/run.sh (bash). After sourcing:
#   find_jdk      prints the home of a JDK >= MIN_JAVA (default 21): JAVA_HOME when
#                 it is one, else `java` on PATH when it is one, else the newest under
#                 /usr/lib/jvm (and macOS's JavaVirtualMachines); fails when none is.
#   java_major J  prints the feature version (8, 17, 21, 25, ...) of java binary J.

# The oldest JDK the build and the service accept (they compile with --release 21).
MIN_JAVA=21

java_major() {
  local out ver
  out=$("$1" -version 2>&1) || return 1
  ver=$(printf '%s\n' "$out" | sed -n 's/^[^"]* version "\([^"]*\)".*/\1/p' | head -n 1)
  [ -n "$ver" ] || return 1
  case "$ver" in
    1.*) ver=${ver#1.} ;;
  esac
  ver=${ver%%[!0-9]*}
  [ -n "$ver" ] || return 1
  printf '%s\n' "$ver"
}

# Succeeds when $1 is a JDK home (bin/java and bin/javac) of version >= MIN_JAVA.
is_suitable_jdk() {
  local home=$1 major
  [ -n "$home" ] && [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 1
  major=$(java_major "$home/bin/java") || return 1
  [ "$major" -ge "$MIN_JAVA" ]
}

find_jdk() {
  local java_bin home best="" best_major=0 m
  if is_suitable_jdk "${JAVA_HOME:-}"; then
    printf '%s\n' "$JAVA_HOME"
    return 0
  fi
  if java_bin=$(command -v java 2>/dev/null); then
    java_bin=$(readlink -f "$java_bin" 2>/dev/null || printf '%s' "$java_bin")
    home=$(dirname "$(dirname "$java_bin")")
    if is_suitable_jdk "$home"; then
      printf '%s\n' "$home"
      return 0
    fi
  fi
  for home in /usr/lib/jvm/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$home" ] || continue
    is_suitable_jdk "$home" || continue
    m=$(java_major "$home/bin/java")
    if [ "$m" -gt "$best_major" ]; then
      best=$(readlink -f "$home" 2>/dev/null || printf '%s' "$home")
      best_major=$m
    fi
  done
  [ -n "$best" ] || return 1
  printf '%s\n' "$best"
}
