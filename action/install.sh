#!/usr/bin/env bash
# Installs cimd for the composite action in action.yml: `go install` at the
# version asked for, else at the ref the action is used at, else the latest.
set -euo pipefail
version="${CIMD_VERSION:-${CIMD_ACTION_REF:-latest}}"
go install "github.com/cimd-dev/cimd@${version}"
bindir="$(go env GOBIN)"
[ -n "$bindir" ] || bindir="$(go env GOPATH)/bin"
if [ -n "${GITHUB_PATH:-}" ]; then
  echo "$bindir" >>"$GITHUB_PATH"
fi
echo "installed cimd@${version} into $bindir"
