#!/usr/bin/env bash
# Compares `cimd publish` of a changed document with `aws s3 cp` of the same
# bytes and headers, against one local versitygw, and counts the requests an
# unchanged and a changed publish make (from versitygw's request log).
#
# Usage, from the repository root: bench/publish_vs_awscli.sh [RUNS]
# RUNS (default 15) alternating runs of each; medians and their ratio are
# printed. Needs go and the aws CLI.
set -euo pipefail

runs=${1:-15}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
gw_pid=
cleanup() {
	if [ -n "$gw_pid" ]; then kill "$gw_pid" 2>/dev/null || true; wait "$gw_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

cd "$root"
go build -o "$work/cimd" .
gw=${CIMD_VERSITYGW:-$root/bin/versitygw}
if [ ! -x "$gw" ]; then
	go build -modfile=tools/go.mod -o "$root/bin/versitygw" github.com/versity/versitygw/cmd/versitygw
	gw=$root/bin/versitygw
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$work/gw"
export AWS_ACCESS_KEY_ID=benchroot
export AWS_SECRET_ACCESS_KEY=$(head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n')
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE=$work/aws-config AWS_SHARED_CREDENTIALS_FILE=$work/aws-credentials
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL
endpoint=http://127.0.0.1:$port
"$gw" --access "$AWS_ACCESS_KEY_ID" --secret "$AWS_SECRET_ACCESS_KEY" --port "127.0.0.1:$port" \
	posix "$work/gw" >"$work/gw.log" 2>&1 &
gw_pid=$!
for _ in $(seq 100); do
	curl -s -o /dev/null "$endpoint" && break
	sleep 0.05
done
aws --endpoint-url "$endpoint" s3 mb s3://cimd-bench >/dev/null

cd "$work"
cat >cimd.toml <<'TOML'
host = "app.example.com"
path = "/oauth/client.json"

[client]
client_name = "Bench A"
redirect_uris = ["http://127.0.0.1:8765/callback", "https://app.example.com/oauth/callback"]
application_type = "native"

[publish]
target = "s3"
cache_control = "public, max-age=3600"

[publish.s3]
bucket = "cimd-bench"
TOML
export AWS_ENDPOINT_URL_S3=$endpoint

now() { date +%s%N; }
flip() { # change the document: client_name alternates between A and B
	if grep -q '"Bench A"' cimd.toml; then sed -i 's/"Bench A"/"Bench B"/' cimd.toml; else sed -i 's/"Bench B"/"Bench A"/' cimd.toml; fi
}
requests() { grep -cE "\| vgw \| .*\| $1 \|" "$work/gw.log" || true; }

./cimd publish --no-verify >/dev/null 2>&1 # first upload, not timed
./cimd build --out out >/dev/null
cimd_ms=() aws_ms=()
for i in $(seq "$runs"); do
	flip
	t0=$(now); ./cimd publish --no-verify >/dev/null 2>&1; t1=$(now)
	cimd_ms+=("$(( (t1 - t0) / 1000 ))")
	flip
	./cimd build --out out >/dev/null
	t0=$(now)
	aws --endpoint-url "$endpoint" s3 cp out/oauth/client.json s3://cimd-bench/oauth/aws.json \
		--content-type application/json --cache-control "public, max-age=3600" >/dev/null
	t1=$(now)
	aws_ms+=("$(( (t1 - t0) / 1000 ))")
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
mc=$(median "${cimd_ms[@]}")
ma=$(median "${aws_ms[@]}")
printf 'changed document, %d alternating runs each (microseconds)\n' "$runs"
printf '  cimd publish --no-verify  median %8.0f  runs: %s\n' "$mc" "${cimd_ms[*]}"
printf '  aws s3 cp                 median %8.0f  runs: %s\n' "$ma" "${aws_ms[*]}"
awk -v c="$mc" -v a="$ma" 'BEGIN {printf "  ratio cimd/aws            %.3fx\n", c / a}'

# Request counts: every request versitygw logs during one publish.
./cimd publish --no-verify >/dev/null 2>&1 # bring the stored copy up to date
count() { # count DESCRIPTION: run one publish and print its requests
	local h0 p0 a0
	h0=$(requests HEAD) p0=$(requests PUT) a0=$(requests '[A-Z]+')
	./cimd publish --no-verify >/dev/null 2>&1
	sleep 0.2 # let versitygw write its log line
	printf '  %-18s %d HEAD, %d PUT, %d requests in all\n' "$1:" \
		"$(($(requests HEAD) - h0))" "$(($(requests PUT) - p0))" "$(($(requests '[A-Z]+') - a0))"
}
printf 'requests per publish (from the versitygw request log)\n'
count "unchanged publish"
flip
count "changed publish"
