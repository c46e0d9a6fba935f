#!/usr/bin/env bash
# Builds and runs Spar's JMH suite against a local cluster (a coordinator and 2 workers under
# benchmarks/target/bench-cluster), then prints Spar's scores next to direct pgjdbc's.
#
# Usage: benchmarks/run.sh [--quick] [--scale] [JMH options...]
#   (default)  5 warmup x 2 s and 5 measurement x 2 s iterations per benchmark, 1 fork
#   --quick    2 warmup x 1 s and 3 measurement x 1 s iterations, 1 fork (a few minutes)
#   --scale    also CatalogScale and ManyWorkers (see SCALE.md; minutes, about 1.8 GB of clusters)
#   JMH options are passed on, e.g. a benchmark regexp: benchmarks/run.sh --quick PointSelect
# JMH runs once per benchmark class, after a progress line "[k/N] Class (methods)"; the raw
# results are benchmarks/target/jmh-results/*.json, merged into benchmarks/target/jmh-result.json.
# The last line of the output is "ratios point_select=X insert=Y batch_throughput=Z
# rf2_insert=W multi_shard_agg=V".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bench="$root/benchmarks"

timing=(-wi 5 -w 2s -i 5 -r 2s -f 1)
scale=false
many_workers=()
jmh_args=()
for arg in "$@"; do
  case "$arg" in
    --quick) timing=(-wi 2 -w 1s -i 3 -r 1s -f 1); many_workers=(--warmup 20 --seconds 10) ;;
    --scale) scale=true ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) jmh_args+=("$arg") ;;
  esac
done

# The commit that is measured, noted with the charts (charts/ itself does not count as a change).
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo "?")
if [[ -n $(git -C "$root" status --porcelain --untracked-files=no -- . ':(exclude)benchmarks/charts' 2>/dev/null) ]]; then
  commit="$commit, uncommitted changes"
fi

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
files=("$results"/*.json)
java -cp target/benchmarks.jar io.spar.benchmarks.ResultTable --table \
  --merged target/jmh-result.json ${files[@]+"${files[@]}"}

if $scale; then
  echo "[scale] CatalogScale"
  java -cp target/benchmarks.jar io.spar.benchmarks.CatalogScale
  echo "[scale] ManyWorkers"
  java -cp target/benchmarks.jar io.spar.benchmarks.ManyWorkers ${many_workers[@]+"${many_workers[@]}"}
fi

# Charts (PNG, XChart) of the ratios and, where this run has them, the scale curves; then a note
# of when and on what machine each chart was drawn.
echo
stamp="$bench/target/charts.stamp"
touch "$stamp"
sleep 1 # so that every chart drawn now is newer than the stamp
java -Djava.awt.headless=true -cp target/benchmarks.jar io.spar.benchmarks.Charts --out charts \
  --catalog target/scale/catalog.json ${files[@]+"${files[@]}"}
cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n 1)
ram=$(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
postgres=$(ls -d /usr/lib/postgresql/*/bin/postgres 2>/dev/null | sort -V | tail -n 1)
pg_version=$([[ -n $postgres ]] && "$postgres" --version | sed 's/^postgres (PostgreSQL) //' || echo "?")
java_version=$(java -version 2>&1 | head -n 1 | sed 's/^[^"]*"\([^"]*\)".*/\1/')
load=$(cut -d' ' -f1-3 /proc/loadavg)
machine="$(nproc) CPUs (nproc), ${cpu:-unknown CPU}, $ram RAM; JDK $java_version, PostgreSQL $pg_version; load average $load at the end"
when=$(date -u '+%Y-%m-%d %H:%M UTC')
args="$*"
run="\`run.sh ${args//|/\\|}\` at $commit" # a | would end the Markdown table's cell
note=charts/MACHINE.md
rows=()
for png in charts/*.png; do
  name=${png#charts/}
  if [[ $png -nt $stamp ]]; then
    rows+=("| [$name]($name) | $when | $machine | $run |")
  elif [[ -f $note ]]; then
    # A chart this run did not draw keeps the row of the run that did.
    row=$(grep -F "| [$name]($name) |" "$note" | head -n 1 || true)
    if [[ -n $row ]]; then rows+=("$row"); fi
  fi
done
{
  echo "# Where the charts came from"
  echo
  echo "Written by \`benchmarks/run.sh\`: a row per chart in this folder, from the run that drew it."
  echo "The machine is shared, so other work may have run at the same time; the load average says how busy it was."
  echo
  echo "| Chart | Drawn | Machine | Run |"
  echo "|---|---|---|---|"
  if [[ ${#rows[@]} -gt 0 ]]; then printf '%s\n' "${rows[@]}"; fi
} > "$note"

echo
java -cp target/benchmarks.jar io.spar.benchmarks.ResultTable --ratios ${files[@]+"${files[@]}"}
[[ ${#failed[@]} -eq 0 ]]
