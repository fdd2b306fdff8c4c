#!/usr/bin/env bash
# validate_vs_curl.sh measures `cimd validate` against a local nginx:
#
#   1. one live URL, cimd validate vs curl, medians over RUNS alternating runs
#      (target: cimd at most 1.5x curl; cimd also checks every rule);
#   2. 20 URLs in one validate call vs one URL (the targets are fetched
#      concurrently, so the ratio is far below 20);
#   3. peak memory of validate against a 1 GB body (target: under 30 MB).
#
# It needs go, nginx, openssl, curl and GNU time (apt-get install nginx-light
# openssl curl time). Everything it makes lives in a temporary directory that
# is removed at exit. Usage, from anywhere in the repository:
#
#   bench/validate_vs_curl.sh [RUNS]     # RUNS defaults to 21
set -euo pipefail

runs=${1:-21}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
nginx_pid=
cleanup() {
	if [[ -n $nginx_pid ]]; then
		kill -QUIT "$nginx_pid" 2>/dev/null || true
		wait "$nginx_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

# nginx lives in an sbin directory that is not on every PATH: look next to
# each bin directory too.
find_tool() {
	local name=$1 d
	if type -P "$name" >/dev/null; then
		type -P "$name"
		return
	fi
	IFS=: read -ra dirs <<<"$PATH"
	for d in "${dirs[@]}"; do
		if [[ $d == */bin && -x ${d%/bin}/sbin/$name ]]; then
			echo "${d%/bin}/sbin/$name"
			return
		fi
	done
	echo "validate_vs_curl.sh: $name is not installed" >&2
	exit 1
}
nginx=$(find_tool nginx)
gnutime=$(find_tool time) # the program, not the shell keyword
find_tool openssl >/dev/null
find_tool curl >/dev/null

echo "building cimd" >&2
(cd "$repo" && go build -o "$work/cimd" .)
cimd=$work/cimd

# A throwaway CA and a certificate for 127.0.0.1, as for a staging host.
(
	cd "$work"
	ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
	openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.pem -days 1 -subj "/CN=cimd bench CA" \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
	openssl req -new "${ec[@]}" -keyout server.key -out server.csr -subj /CN=127.0.0.1 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >server.ext
	openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -set_serial "$RANDOM$RANDOM" -days 1 \
		-out server.pem -extfile server.ext 2>/dev/null
)
ca=$work/ca.pem
mkdir -p "$work/root" "$work/tmp"

# Start nginx on a random high port, trying another if that one is taken.
user=
[[ $(id -u) == 0 ]] && user="user root;"
start_nginx() {
	cat >"$work/nginx.conf" <<EOF
$user
daemon off;
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections 256; }
http {
    access_log off;
    sendfile on;
    client_body_temp_path $work/tmp/client;
    proxy_temp_path $work/tmp/proxy;
    fastcgi_temp_path $work/tmp/fastcgi;
    uwsgi_temp_path $work/tmp/uwsgi;
    scgi_temp_path $work/tmp/scgi;
    types { application/json json; }
    default_type application/octet-stream;
    server {
        listen 127.0.0.1:$port ssl http2;
        ssl_certificate $work/server.pem;
        ssl_certificate_key $work/server.key;
        root $work/root;
        add_header Cache-Control "public, max-age=300";
    }
}
EOF
	"$nginx" -p "$work" -c "$work/nginx.conf" -e "$work/error.log" &
	nginx_pid=$!
	for _ in $(seq 50); do
		if curl -s -o /dev/null --cacert "$ca" "https://127.0.0.1:$port/"; then
			return 0
		fi
		if ! kill -0 "$nginx_pid" 2>/dev/null; then
			nginx_pid=
			return 1
		fi
		sleep 0.1
	done
	return 1
}
for _ in 1 2 3 4 5; do
	port=$((20000 + RANDOM % 40000))
	start_nginx && break
done
[[ -n $nginx_pid ]] || { echo "validate_vs_curl.sh: nginx did not start" >&2; cat "$work/error.log" >&2; exit 1; }
base=https://127.0.0.1:$port

# 20 documents, each built by cimd for its own URL, and a 1 GB sparse file.
(
	cd "$work"
	for i in $(seq -w 1 20); do
		"$cimd" init --force --url "$base/oauth/client$i.json" --name "Bench App $i" 2>/dev/null
		sed -i.bak 's/^allow_private = false$/allow_private = true/' cimd.toml
		"$cimd" build --out root >/dev/null 2>&1
	done
)
truncate -s 1G "$work/root/oauth/big.json"
url=$base/oauth/client01.json
urls=()
for i in $(seq -w 1 20); do urls+=("$base/oauth/client$i.json"); done

"$cimd" validate --cacert "$ca" --allow-private "$url" >/dev/null ||
	{ echo "validate_vs_curl.sh: $url does not validate" >&2; "$cimd" validate --cacert "$ca" --allow-private "$url"; exit 1; }
"$cimd" validate --cacert "$ca" --allow-private "${urls[@]}" >/dev/null ||
	{ echo "validate_vs_curl.sh: the 20 URLs do not validate" >&2; exit 1; }

# ms runs its arguments and prints how long they took in milliseconds.
ms() {
	local start end
	start=$(date +%s%N)
	"$@" >/dev/null 2>&1 || true
	end=$(date +%s%N)
	echo $(((end - start) / 1000)) | awk '{printf "%.2f\n", $1 / 1000}'
}
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

echo "timing $runs alternating runs of each" >&2
: >"$work/cimd.ms" >"$work/curl.ms" >"$work/many.ms"
for _ in $(seq "$runs"); do
	ms "$cimd" validate --cacert "$ca" --allow-private "$url" >>"$work/cimd.ms"
	ms curl -s -o /dev/null --cacert "$ca" "$url" >>"$work/curl.ms"
	ms "$cimd" validate --cacert "$ca" --allow-private "${urls[@]}" >>"$work/many.ms"
done
cimd_ms=$(median <"$work/cimd.ms")
curl_ms=$(median <"$work/curl.ms")
many_ms=$(median <"$work/many.ms")

# Peak memory against 1 GB: validate reads 5121 bytes and hangs up.
"$gnutime" -v "$cimd" validate --cacert "$ca" --allow-private "$base/oauth/big.json" >"$work/big.out" 2>"$work/big.time" || true
grep -q 'http-size' "$work/big.out" || { echo "validate_vs_curl.sh: no http-size finding for 1 GB" >&2; cat "$work/big.out" >&2; exit 1; }
rss_kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$work/big.time")
big_ms=$(awk -F'elapsed_ms":' 'NF > 1 {print $2 + 0}' <("$cimd" validate --json --cacert "$ca" --allow-private "$base/oauth/big.json" || true))

awk -v c="$cimd_ms" -v u="$curl_ms" -v m="$many_ms" -v r="$rss_kb" -v b="$big_ms" -v n="$runs" 'BEGIN {
	printf "one URL, median of %d runs:  cimd validate %.2f ms   curl %.2f ms   ratio %.2fx (target <= 1.5x)\n", n, c, u, c / u
	printf "20 URLs in one call:          %.2f ms vs one URL %.2f ms   ratio %.2fx (serial would be ~20x)\n", m, c, m / c
	printf "1 GB body:                    peak RSS %.1f MB (target < 30 MB), fetch %s ms\n", r / 1024, b
}'
