#!/usr/bin/env bash
# Builds and runs Spar's JMH suite against a local cluster (a coordinator and 2 workers under
# benchmarks/target/bench-cluster), then prints Spar's scores next to direct pgjdbc's.
#
# Usage: benchmarks/run.sh [--quick] [JMH options...]
#   (default)  5 warmup x 2 s and 5 measurement x 2 s iterations per benchmark, 1 fork
#   --quick    2 warmup x 1 s and 3 measurement x 1 s iterations, 1 fork (a few minutes)
#   JMH options are passed on, e.g. a benchmark regexp: benchmarks/run.sh --quick PointSelect
# The raw result is benchmarks/target/jmh-result.json.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bench="$root/benchmarks"

timing=(-wi 5 -w 2s -i 5 -r 2s -f 1)
jmh_args=()
for arg in "$@"; do
  case "$arg" in
    --quick) timing=(-wi 2 -w 1s -i 3 -r 1s -f 1) ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) jmh_args+=("$arg") ;;
  esac
done

bash "$root/scripts/setup.sh"
cd "$root"
mvn -q -B -ntp -pl calcite-adapter -am install -DskipTests
mvn -q -B -ntp -pl benchmarks package -DskipTests

result="$bench/target/jmh-result.json"
rm -f "$result"
cd "$bench" # the forks resolve the default cluster directory, target/bench-cluster, from here
java -jar target/benchmarks.jar "${timing[@]}" -rf json -rff "$result" ${jmh_args[@]+"${jmh_args[@]}"}
echo
java -cp target/benchmarks.jar io.spar.benchmarks.ResultTable "$result"
