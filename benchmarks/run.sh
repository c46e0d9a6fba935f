#!/usr/bin/env bash
# Builds and runs Spar's JMH suite against a local cluster (a coordinator and 2 workers under
# benchmarks/target/bench-cluster), then prints Spar's scores next to direct pgjdbc's.
#
# Usage: benchmarks/run.sh [--quick] [JMH options...]
#   (default)  5 warmup x 2 s and 5 measurement x 2 s iterations per benchmark, 1 fork
#   --quick    2 warmup x 1 s and 3 measurement x 1 s iterations, 1 fork (a few minutes)
#   JMH options are passed on, e.g. a benchmark regexp: benchmarks/run.sh --quick PointSelect
# JMH runs once per benchmark class, after a progress line "[k/N] Class (methods)"; the raw
# results are benchmarks/target/jmh-results/*.json, merged into benchmarks/target/jmh-result.json.
# The last line of the output is "ratios point_select=X insert=Y batch_throughput=Z
# rf2_insert=W multi_shard_agg=V".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bench="$root/benchmarks"

timing=(-wi 5 -w 2s -i 5 -r 2s -f 1)
jmh_args=()
for arg in "$@"; do
  case "$arg" in
    --quick) timing=(-wi 2 -w 1s -i 3 -r 1s -f 1) ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) jmh_args+=("$arg") ;;
  esac
done

bash "$root/scripts/setup.sh"
cd "$root"
mvn -q -B -ntp -pl calcite-adapter -am install -DskipTests
mvn -q -B -ntp -pl benchmarks package -DskipTests

results="$bench/target/jmh-results"
rm -rf "$results" "$bench/target/jmh-result.json"
mkdir -p "$results"
cd "$bench" # the forks resolve the default cluster directory, target/bench-cluster, from here

# The benchmarks that the arguments select, as JMH lists them, grouped by class in that order.
listing=$(java -jar target/benchmarks.jar -l ${jmh_args[@]+"${jmh_args[@]}"})
mapfile -t benchmarks < <(sed -n '/^Benchmarks:/,$p' <<<"$listing" | grep -E '^[A-Za-z_][A-Za-z0-9_.$]*$' || true)
if [[ ${#benchmarks[@]} -eq 0 ]]; then
  echo "run.sh: no benchmark matches: ${jmh_args[*]-}" >&2
  exit 1
fi
classes=()
for benchmark in "${benchmarks[@]}"; do
  class=${benchmark%.*}
  if [[ " ${classes[*]-} " != *" $class "* ]]; then
    classes+=("$class")
  fi
done

failed=()
k=0
for class in "${classes[@]}"; do
  k=$((k + 1))
  methods=()
  for benchmark in "${benchmarks[@]}"; do
    if [[ ${benchmark%.*} == "$class" ]]; then
      methods+=("${benchmark##*.}")
    fi
  done
  name=${class##*.}
  echo "[$k/${#classes[@]}] $name (${methods[*]}), started $(date +%H:%M:%S)"
  out="$results/$(printf %02d "$k")-$name.json"
  # The user's arguments still choose the methods; the exclusion keeps this run to one class.
  java -jar target/benchmarks.jar "${timing[@]}" -rf json -rff "$out" \
    ${jmh_args[@]+"${jmh_args[@]}"} -e "^(?!${class//./\\.}\\.)" || true
  for method in "${methods[@]}"; do
    if ! grep -q "\"benchmark\" : \"$class.$method\"" "$out" 2>/dev/null; then
      failed+=("$name.$method")
    fi
  done
done

echo
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "No result (see the JMH output above) for: ${failed[*]}"
  echo
fi
shopt -s nullglob
java -cp target/benchmarks.jar io.spar.benchmarks.ResultTable --merged target/jmh-result.json \
  "$results"/*.json
[[ ${#failed[@]} -eq 0 ]]
