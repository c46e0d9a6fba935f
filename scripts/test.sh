#!/usr/bin/env bash
# Installs what the build needs (scripts/setup.sh), then builds and runs every test of every module.
# Extra arguments are passed to Maven, e.g. scripts/test.sh -pl engine -am
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
mvn -B -ntp install "$@"
