#!/usr/bin/env bash
# Installs cimd for the composite action in action.yml.
#
# - A release version (v1.2.3, v1.2.3-rc.1): the release archive for the
#   runner's OS and architecture, as .goreleaser.yaml names it, from
#   $CIMD_RELEASE_BASE_URL/TAG/ (default: the GitHub releases of cimd-dev/cimd),
#   checked against the release's checksums.txt (sha256) before it is
#   unpacked. A mismatch fails and installs nothing. No compiler runs, so
#   this takes seconds where go install takes most of a minute.
#   A release without the archive (HTTP 404: a tag from before the release
#   archives, or a platform they do not cover) falls back to go install.
# - Any other version (a commit, a branch): go install github.com/cimd-dev/cimd@VERSION.
# - No version: the action's own checkout ($GITHUB_ACTION_PATH, the code at
#   the ref the workflow uses), built in place. github.action_ref is not
#   used: some runners leave it empty in a composite action, which used to
#   install @latest silently.
#
# Only what GitHub's runners have: curl, tar, unzip, sha256sum or shasum.
set -euo pipefail

fail() {
  echo "::error title=cimd action::$*" >&2
  echo "cimd action: $*" >&2
  exit 1
}

# platform prints GoReleaser's os and arch names for this runner.
platform() {
  local os arch
  case "${RUNNER_OS:-$(uname -s)}" in
    Linux | linux) os=linux ;;
    macOS | Darwin) os=darwin ;;
    Windows | MINGW* | MSYS* | CYGWIN*) os=windows ;;
    *) return 1 ;;
  esac
  case "${RUNNER_ARCH:-$(uname -m)}" in
    X64 | x86_64 | amd64) arch=amd64 ;;
    ARM64 | aarch64 | arm64) arch=arm64 ;;
    *) return 1 ;;
  esac
  echo "$os $arch"
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | awk '{print $1}'
  else
    shasum -a 256 "$1" | awk '{print $1}'
  fi
}

# fetch URL FILE: 0 when downloaded, 2 when the server says 404, else fails.
fetch() {
  local code
  code=$(curl -sSL --retry 3 --connect-timeout 20 --max-time 300 -o "$2" -w '%{http_code}' "$1") ||
    fail "downloading $1 failed (curl exit $?)"
  case "$code" in
    200) return 0 ;;
    404) return 2 ;;
    *) fail "downloading $1: HTTP $code" ;;
  esac
}

# from_release TAG: installs the release archive and sets bindir and what;
# returns 2 when the release has no archive for this platform.
from_release() {
  local tag=$1 os arch ext exe asset base sums want got
  read -r os arch < <(platform) || return 2
  ext=tar.gz exe=cimd
  if [ "$os" = windows ]; then ext=zip exe=cimd.exe; fi
  asset="cimd_${tag#v}_${os}_${arch}.${ext}"
  base="${CIMD_RELEASE_BASE_URL:-https://github.com/cimd-dev/cimd/releases/download}"
  base="${base%/}/$tag"

  # work is global: the EXIT trap removes it when fail exits mid-way, so
  # whatever goes wrong below leaves nothing behind and nothing on PATH.
  work=$(TMPDIR="${RUNNER_TEMP:-${TMPDIR:-}}" mktemp -d) || fail "mktemp failed"
  trap 'rm -rf "$work"' EXIT
  sums="$work/checksums.txt"
  fetch "$base/checksums.txt" "$sums" || { rm -rf "$work"; trap - EXIT; return 2; }
  fetch "$base/$asset" "$work/$asset" || { rm -rf "$work"; trap - EXIT; return 2; }
  want=$(awk -v a="$asset" '$2 == a || $2 == "*" a {print $1; exit}' "$sums")
  [ -n "$want" ] || fail "$base/checksums.txt lists no checksum for $asset; nothing installed"
  got=$(sha256 "$work/$asset")
  if [ "$got" != "$want" ]; then
    fail "checksum mismatch for $base/$asset: sha256 $got, checksums.txt says $want; nothing installed"
  fi

  mkdir "$work/bin"
  if [ "$ext" = zip ]; then
    unzip -q "$work/$asset" "$exe" -d "$work/bin" || fail "$asset holds no $exe; nothing installed"
  else
    tar -xzf "$work/$asset" -C "$work/bin" "$exe" || fail "$asset holds no $exe; nothing installed"
  fi
  [ -f "$work/bin/$exe" ] || fail "$asset holds no $exe; nothing installed"
  chmod +x "$work/bin/$exe"
  rm -f "$work/$asset" "$sums"
  trap - EXIT
  bindir="$work/bin"
  what="cimd $tag from $asset (sha256 verified)"
}

bindir="" what=""
if [ -n "${CIMD_VERSION:-}" ]; then
  if [[ "$CIMD_VERSION" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
    from_release "$CIMD_VERSION" || {
      rc=$?
      [ "$rc" -eq 2 ] || exit "$rc"
      echo "::notice title=cimd action::no release archive of cimd $CIMD_VERSION for this runner; using go install"
    }
  fi
  if [ -z "$bindir" ]; then
    go install "github.com/cimd-dev/cimd@${CIMD_VERSION}"
    what="cimd@${CIMD_VERSION} with go install"
  fi
else
  if [ -z "${GITHUB_ACTION_PATH:-}" ] || [ ! -f "${GITHUB_ACTION_PATH}/go.mod" ]; then
    fail "GITHUB_ACTION_PATH (${GITHUB_ACTION_PATH:-unset}) holds no go.mod; set the version input"
  fi
  (cd "$GITHUB_ACTION_PATH" && go install .)
  what="cimd from $GITHUB_ACTION_PATH"
fi
if [ -z "$bindir" ]; then
  bindir="$(go env GOBIN)"
  [ -n "$bindir" ] || bindir="$(go env GOPATH)/bin"
fi
if [ -n "${GITHUB_PATH:-}" ]; then
  echo "$bindir" >>"$GITHUB_PATH"
fi
echo "installed ${what} into $bindir"
