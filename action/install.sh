#!/usr/bin/env bash
# Installs cimd for the composite action in action.yml. With a version input,
# `go install github.com/cimd-dev/cimd@VERSION`; without one, the action's own
# checkout ($GITHUB_ACTION_PATH, the code at the ref the workflow uses), built
# in place. github.action_ref is not used: some runners leave it empty in a
# composite action, which used to install @latest silently.
set -euo pipefail
if [ -n "${CIMD_VERSION:-}" ]; then
  go install "github.com/cimd-dev/cimd@${CIMD_VERSION}"
  what="cimd@${CIMD_VERSION}"
else
  if [ -z "${GITHUB_ACTION_PATH:-}" ] || [ ! -f "${GITHUB_ACTION_PATH}/go.mod" ]; then
    echo "cimd action: GITHUB_ACTION_PATH (${GITHUB_ACTION_PATH:-unset}) holds no go.mod; set the version input" >&2
    exit 1
  fi
  (cd "$GITHUB_ACTION_PATH" && go install .)
  what="cimd from $GITHUB_ACTION_PATH"
fi
bindir="$(go env GOBIN)"
[ -n "$bindir" ] || bindir="$(go env GOPATH)/bin"
if [ -n "${GITHUB_PATH:-}" ]; then
  echo "$bindir" >>"$GITHUB_PATH"
fi
echo "installed ${what} into $bindir"
