#!/usr/bin/env bash
# bench/install.sh times the action's install step (action/install.sh) both
# ways and prints the two medians and their ratio (target: under 0.1x):
#
#   - release: CIMD_VERSION=v0.0.0-bench, the release archive downloaded from
#     a local nginx over HTTPS (standing in for GitHub's release downloads),
#     checked against checksums.txt and unpacked. The fake release is built
#     here from this checkout as .goreleaser.yaml builds one (go build
#     -trimpath, CGO_ENABLED=0, the archive named cimd_VERSION_OS_ARCH.tar.gz);
#   - go install: no version, so install.sh runs `go install .` in this
#     checkout, as the action does for a commit, with GOMODCACHE and GOCACHE
#     pointed at empty directories each run: every module comes from the
#     module proxy (GOPROXY as set) and everything is compiled. That is a
#     runner without a Go cache (the action sets cache: false).
#
# Needs go, curl, tar, nginx and openssl (apt-get install nginx-light openssl).
# Files live in a temporary directory; nginx listens on 127.0.0.1 and is
# stopped at exit.
#
# Usage, from anywhere in the repository:
#
#   bench/install.sh [-n RUNS]     # RUNS of each (default 3; go install is slow)
set -euo pipefail

runs=3
while (($#)); do
	case $1 in
	-n) runs=$2; shift 2 ;;
	*) echo "usage: bench/install.sh [-n RUNS]" >&2; exit 2 ;;
	esac
done

repo=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib.sh
source "$repo/bench/lib.sh"
work=$(mktemp -d)
trap 'bench_stop "$BENCH_NGINX_PID" QUIT; chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

# The fake release.
tag=v0.0.0-bench
os=$(go env GOOS) arch=$(go env GOARCH)
asset="cimd_${tag#v}_${os}_${arch}.tar.gz"
mkdir -p "$work/www/$tag" "$work/stage"
echo "bench: building the release archive $asset" >&2
(cd "$repo" && CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$work/stage/cimd" .)
cp "$repo/LICENSE" "$repo/README.md" "$work/stage/"
tar -czf "$work/www/$tag/$asset" -C "$work/stage" cimd LICENSE README.md
(cd "$work/www/$tag" && sha256sum "$asset" >checksums.txt)
size=$(wc -c <"$work/www/$tag/$asset")

bench_make_ca "$work"
bench_start_nginx "$work" "$work/www"
base="https://127.0.0.1:$BENCH_NGINX_PORT"

# run_install NAME ENV... runs action/install.sh with ENV as the runner
# would, checks that the cimd it put on GITHUB_PATH runs, and prints how long
# the step took in seconds.
run_install() {
	local name=$1 dir t0 t1 bin
	shift
	dir=$(mktemp -d "$work/$name.XXXX")
	mkdir "$dir/runner"
	t0=${EPOCHREALTIME/[.,]/}
	if ! env "$@" RUNNER_TEMP="$dir/runner" GITHUB_PATH="$dir/path" GITHUB_ACTION_PATH="$repo" \
		bash "$repo/action/install.sh" >"$dir/log" 2>&1; then
		echo "bench: the $name install failed:" >&2
		cat "$dir/log" >&2
		exit 1
	fi
	t1=${EPOCHREALTIME/[.,]/}
	bin=$(head -n1 "$dir/path")/cimd
	"$bin" version >/dev/null || { echo "bench: $bin does not run" >&2; exit 1; }
	# Free the disk between runs: a cold module cache is about 200 MB.
	chmod -R u+w "$dir" 2>/dev/null
	rm -rf "$dir"
	awk -v us=$((t1 - t0)) 'BEGIN {printf "%.3f\n", us / 1e6}'
}

release=() goinst=()
for i in $(seq "$runs"); do
	echo "bench: run $i/$runs: release archive" >&2
	release+=("$(run_install release CIMD_VERSION="$tag" CIMD_RELEASE_BASE_URL="$base" CURL_CA_BUNDLE="$work/ca.pem")")
	echo "bench: run $i/$runs: go install, cold caches" >&2
	cold="$work/cold.$i"
	mkdir -p "$cold/mod" "$cold/build" "$cold/gopath"
	goinst+=("$(run_install goinstall CIMD_VERSION= GOMODCACHE="$cold/mod" GOCACHE="$cold/build" \
		GOPATH="$cold/gopath" GOBIN="$cold/gopath/bin" GOFLAGS="${GOFLAGS:+$GOFLAGS }-modcacherw")")
	chmod -R u+w "$cold" 2>/dev/null
	rm -rf "$cold"
done

r=$(printf '%s\n' "${release[@]}" | bench_median)
g=$(printf '%s\n' "${goinst[@]}" | bench_median)
echo "Install step of the action, medians of $runs runs ($(nproc) CPUs, $(go version | cut -d' ' -f3)):"
echo "  release archive ($((size / 1024)) KB, download + sha256 + unpack): ${r} s   [${release[*]}]"
echo "  go install, cold GOMODCACHE and GOCACHE:                 ${g} s   [${goinst[*]}]"
awk -v r="$r" -v g="$g" 'BEGIN {printf "  ratio: %.4fx (target < 0.1x)\n", r / g}'
