#!/usr/bin/env bash
# The Bicep template's CI check: infra/main.json must be exactly what infra/main.bicep compiles to (with the Bicep
# CLI version infra/install-bicep.sh restores, formatted by Prettier like every JSON file here), and the build and
# the linter (rules: infra/bicepconfig.json) must report no error and no warning.
#
#   infra/check.sh            check (CI)
#   infra/check.sh --write    rebuild infra/main.json after changing infra/*.bicep
set -euo pipefail
cd "$(dirname "$0")/.."

bicep="$(infra/install-bicep.sh)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if ! "$bicep" build infra/main.bicep --stdout >"$work/main.json" 2>"$work/build.log"; then
  cat "$work/build.log" >&2
  echo "infra: bicep build infra/main.bicep failed" >&2
  exit 1
fi
npx --no-install prettier --stdin-filepath infra/main.json <"$work/main.json" >"$work/main.pretty.json"

if [ "${1:-}" = "--write" ]; then
  cp "$work/main.pretty.json" infra/main.json
  echo "infra: wrote infra/main.json"
elif ! diff -u infra/main.json "$work/main.pretty.json" >"$work/drift.diff"; then
  head -n 60 "$work/drift.diff" >&2
  echo "infra: infra/main.json is not what infra/main.bicep compiles to ($("$bicep" --version)): run infra/check.sh --write and commit infra/main.json" >&2
  exit 1
fi

# Diagnostics of the build and of the linter (main.bicep's lint covers its modules): none is allowed.
"$bicep" lint infra/main.bicep >"$work/lint.log" 2>&1 || true
if [ -s "$work/build.log" ] || [ -s "$work/lint.log" ]; then
  cat "$work/build.log" "$work/lint.log" >&2
  echo "infra: bicep reported diagnostics; fix them, or suppress one with '#disable-next-line <rule>' and a comment saying why" >&2
  exit 1
fi
echo "infra: infra/main.json is current; bicep build and lint are clean ($("$bicep" --version))"
