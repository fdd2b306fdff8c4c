#!/usr/bin/env bash
# bench/checkserver.sh: how long `cimd check-server` takes against one local
# authorization server (oidc-provider under Node, with its CIMD feature on),
# next to curl making the same two essential requests one after the other in
# one process (the RFC 8414 metadata, then the authorization request of the
# probe). It prints the medians of RUNS alternating runs, their ratio, and
# the requests one check sends to the server.
#
#   bench/checkserver.sh [-n RUNS]      # default 20
#
# Needs go, node (with `npm ci` done in internal/testenv/testdata/authservers),
# openssl and curl. Everything listens on 127.0.0.1; files go to a temporary
# directory that is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
source bench/lib.sh

runs=20
if [[ ${1:-} == -n ]]; then
	runs=$2
fi

asdir=internal/testenv/testdata/authservers
[[ -d $asdir/node_modules/oidc-provider ]] || {
	echo "bench: run 'npm ci' in $asdir first" >&2
	exit 1
}
for t in go node openssl curl; do bench_find_tool "$t" >/dev/null; done

work=$(mktemp -d)
as_pid=
doc_pid=
cleanup() {
	bench_stop "$as_pid"
	bench_stop "$doc_pid"
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/cimd" .
bench_make_ca "$work"

# The client's document, served over HTTPS by a few lines of Node.
doc_port=$(bench_free_port)
client_id="https://127.0.0.1:$doc_port/client.json"
cat >"$work/client.json" <<EOF
{"client_id": "$client_id", "client_name": "cimd bench", "redirect_uris": ["http://127.0.0.1:47863/callback"],
 "grant_types": ["authorization_code"], "response_types": ["code"], "token_endpoint_auth_method": "none",
 "application_type": "native"}
EOF
node -e '
const fs = require("fs"), https = require("https"), [dir, port] = process.argv.slice(1);
https.createServer({cert: fs.readFileSync(dir + "/server.pem"), key: fs.readFileSync(dir + "/server.key")}, (req, res) => {
  res.writeHead(200, {"content-type": "application/json", "cache-control": "public, max-age=300"});
  res.end(fs.readFileSync(dir + "/client.json"));
}).listen(Number(port), "127.0.0.1");' "$work" "$doc_port" &
doc_pid=$!
bench_wait_tcp "$doc_port" || {
	echo "bench: the document server did not start" >&2
	exit 1
}

# oidc-provider, trusting the CA for the document fetch.
(cd "$asdir" && AS_ADDR=127.0.0.1 AS_PORT=0 AS_TLS_CERT="$work/server.pem" AS_TLS_KEY="$work/server.key" \
	NODE_EXTRA_CA_CERTS="$work/ca.pem" exec node oidc-provider.mjs >"$work/as.out" 2>"$work/as.err") &
as_pid=$!
issuer=
for _ in $(seq 200); do
	issuer=$(sed -n 's/^listening //p' "$work/as.out")
	[[ -n $issuer ]] && break
	kill -0 "$as_pid" 2>/dev/null || break
	sleep 0.05
done
[[ -n $issuer ]] || {
	echo "bench: oidc-provider did not start" >&2
	cat "$work/as.err" >&2
	exit 1
}

cat >"$work/cimd.toml" <<EOF
host = "127.0.0.1:$doc_port"
path = "/client.json"
[client]
client_name = "cimd bench"
redirect_uris = ["http://127.0.0.1:47863/callback"]
application_type = "native"
[validate]
allow_private = true
cacert = "ca.pem"
[check]
servers = ["$issuer"]
EOF

# The probe curl sends: what cimd sends, with a fixed challenge and state.
q="response_type=code&client_id=$(node -p 'encodeURIComponent(process.argv[1])' "$client_id")"
q+="&redirect_uri=http%3A%2F%2F127.0.0.1%3A47863%2Fcallback&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
q+="&code_challenge_method=S256&state=benchstate"
metadata_url="$issuer/.well-known/oauth-authorization-server"
probe_url="$issuer/auth?$q"

check() { "$work/cimd" check-server -c "$work/cimd.toml" -q; }
two_curls() { curl -s --cacert "$work/ca.pem" -o /dev/null "$metadata_url" -o /dev/null "$probe_url"; }

# One check first: it must pass, and it shows the requests it sends.
if ! "$work/cimd" check-server -c "$work/cimd.toml" --json >"$work/check.json"; then
	echo "bench: the check did not pass:" >&2
	cat "$work/check.json" >&2
	exit 1
fi
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1])).results[0];
console.log(`requests per check: ${r.tried.length + 1} (${r.tried.length} discovery GETs, 1 probe)`);
for (const t of r.tried) console.log(`  GET ${t.url} -> ${t.status}`);
console.log(`  GET ${r.probe.status ? "authorization endpoint" : "(no probe)"} -> ${r.probe.status} ${r.probe.outcome}`);' "$work/check.json"

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
: >"$work/cimd.us"
: >"$work/curl.us"
for _ in $(seq "$runs"); do
	bench_us check >>"$work/cimd.us"
	bench_us two_curls >>"$work/curl.us"
done
c=$(median <"$work/cimd.us")
b=$(median <"$work/curl.us")
awk -v c="$c" -v b="$b" -v n="$runs" 'BEGIN {
	printf "medians of %d alternating runs:\n", n
	printf "  cimd check-server (discovery + probe): %.1f ms\n", c / 1000
	printf "  curl metadata then probe (one process): %.1f ms\n", b / 1000
	printf "  ratio: %.2fx (target <= 1.5x)\n", c / b
}'
