#!/usr/bin/env bash
# Runs cimd for the composite action in action.yml. CIMD_ARGS is split on
# white space (no globbing), so "validate --wait 2m" is three arguments.
# GITHUB_ACTIONS=true makes cimd print annotations and a step summary itself.
set -euo pipefail
set -f
# CIMD_SARIF (the sarif input), when set, adds --sarif FILE, the file
# name kept whole.
read -r -a args <<<"${CIMD_ARGS:-validate}"
if [[ -n "${CIMD_SARIF:-}" ]]; then
	args+=(--sarif "$CIMD_SARIF")
fi
exec cimd "${args[@]}"
