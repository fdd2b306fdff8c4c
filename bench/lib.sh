# lib.sh: shared pieces of the bench scripts, sourced, never run. It starts
# servers on 127.0.0.1 only (nginx with a throwaway CA, versitygw), times
# commands without forking a clock, and takes medians. Functions that start a
# server set global variables (the caller's trap stops the servers with
# bench_stop); everything they write goes under the directory they are given.
#
#   source "$(dirname "$0")/lib.sh"

# bench_find_tool NAME prints the path of NAME, looking next to each bin
# directory of PATH for an sbin one too (nginx lives in /usr/sbin, which is
# not on every PATH), or fails with a message.
bench_find_tool() {
	local name=$1 d
	if type -P "$name" >/dev/null; then
		type -P "$name"
		return 0
	fi
	IFS=: read -ra dirs <<<"$PATH"
	for d in "${dirs[@]}"; do
		if [[ $d == */bin && -x ${d%/bin}/sbin/$name ]]; then
			echo "${d%/bin}/sbin/$name"
			return 0
		fi
	done
	echo "bench: $name is not installed" >&2
	return 1
}

# bench_free_port prints a port on 127.0.0.1 that nothing listens on now.
# Another process may take it before the caller binds it, so callers retry.
bench_free_port() {
	local port i
	for i in $(seq 50); do
		port=$((20000 + RANDOM % 40000))
		if ! (: <"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return 0
		fi
	done
	echo "bench: no free port found" >&2
	return 1
}

# bench_wait_tcp PORT [TRIES] waits until something accepts connections on
# 127.0.0.1:PORT, polling every 50 ms, TRIES times (default 100).
bench_wait_tcp() {
	local port=$1 tries=${2:-100} i
	for i in $(seq "$tries"); do
		if (: <"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# bench_make_ca DIR writes a throwaway CA (DIR/ca.pem) and a certificate for
# 127.0.0.1 signed by it (DIR/server.pem, DIR/server.key), valid one day:
# internal/testenv's CA, through bench/ca.
bench_make_ca() {
	local dir=$1
	(cd "$repo" && go run ./bench/ca "$dir")
}

# bench_start_nginx DIR ROOT serves ROOT over HTTPS (HTTP/2, the certificate
# of bench_make_ca in DIR) on a free port of 127.0.0.1, with .json files as
# application/json and Cache-Control "public, max-age=300". It sets
# BENCH_NGINX_PID and BENCH_NGINX_PORT.
BENCH_NGINX_PID=
BENCH_NGINX_PORT=
bench_start_nginx() {
	local dir=$1 root=$2 nginx user= port try i
	nginx=$(bench_find_tool nginx) || return 1
	[[ $(id -u) == 0 ]] && user="user root;"
	mkdir -p "$dir/nginx-tmp"
	for try in 1 2 3 4 5; do
		port=$(bench_free_port) || return 1
		cat >"$dir/nginx.conf" <<EOF
$user
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log;
events { worker_connections 512; }
http {
    access_log off;
    sendfile on;
    client_body_temp_path $dir/nginx-tmp/client;
    proxy_temp_path $dir/nginx-tmp/proxy;
    fastcgi_temp_path $dir/nginx-tmp/fastcgi;
    uwsgi_temp_path $dir/nginx-tmp/uwsgi;
    scgi_temp_path $dir/nginx-tmp/scgi;
    types { application/json json; }
    default_type application/octet-stream;
    server {
        listen 127.0.0.1:$port ssl http2;
        ssl_certificate $dir/server.pem;
        ssl_certificate_key $dir/server.key;
        root $root;
        add_header Cache-Control "public, max-age=300";
    }
}
EOF
		"$nginx" -p "$dir" -c "$dir/nginx.conf" -e "$dir/nginx-error.log" &
		BENCH_NGINX_PID=$!
		for i in $(seq 50); do
			if curl -s -o /dev/null --cacert "$dir/ca.pem" "https://127.0.0.1:$port/"; then
				BENCH_NGINX_PORT=$port
				return 0
			fi
			kill -0 "$BENCH_NGINX_PID" 2>/dev/null || break
			sleep 0.1
		done
		bench_stop "$BENCH_NGINX_PID" QUIT
		BENCH_NGINX_PID=
	done
	echo "bench: nginx did not start" >&2
	cat "$dir/nginx-error.log" >&2 2>/dev/null
	return 1
}

# bench_build_versitygw REPO prints the path of a versitygw binary, building
# REPO/bin/versitygw from tools/go.mod when it is not there yet.
bench_build_versitygw() {
	local repo=$1
	if [[ ! -x $repo/bin/versitygw ]]; then
		echo "bench: building versitygw (once; bin/ keeps it)" >&2
		(cd "$repo" && go build -modfile=tools/go.mod -o bin/versitygw github.com/versity/versitygw/cmd/versitygw) || return 1
	fi
	echo "$repo/bin/versitygw"
}

# bench_start_versitygw BIN DIR runs versitygw over plain HTTP on a free port
# of 127.0.0.1 with a posix backend in DIR/gw and its request log in
# DIR/gw.log, keyed by AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. It sets
# BENCH_GW_PID and BENCH_GW_PORT.
BENCH_GW_PID=
BENCH_GW_PORT=
bench_start_versitygw() {
	local bin=$1 dir=$2 port try
	mkdir -p "$dir/gw"
	for try in 1 2 3 4 5; do
		port=$(bench_free_port) || return 1
		"$bin" --access "$AWS_ACCESS_KEY_ID" --secret "$AWS_SECRET_ACCESS_KEY" --port "127.0.0.1:$port" \
			posix "$dir/gw" >>"$dir/gw.log" 2>&1 &
		BENCH_GW_PID=$!
		if bench_wait_tcp "$port" 100 && kill -0 "$BENCH_GW_PID" 2>/dev/null; then
			BENCH_GW_PORT=$port
			return 0
		fi
		bench_stop "$BENCH_GW_PID"
		BENCH_GW_PID=
	done
	echo "bench: versitygw did not start" >&2
	tail -n 20 "$dir/gw.log" >&2
	return 1
}

# bench_aws_env points the AWS CLI and SDK at nothing but the environment:
# throwaway keys (a fresh random secret, never printed), us-east-1, no
# shared files from the machine (they would live under DIR), no instance
# metadata.
bench_aws_env() {
	local dir=$1
	unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 AWS_CA_BUNDLE
	export AWS_ACCESS_KEY_ID=benchroot
	AWS_SECRET_ACCESS_KEY=$(head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n')
	export AWS_SECRET_ACCESS_KEY
	export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
	export AWS_CONFIG_FILE=$dir/aws-config AWS_SHARED_CREDENTIALS_FILE=$dir/aws-credentials
	export AWS_PAGER=
}

# bench_stop PID [SIGNAL] stops a server started by these functions and
# reaps it.
bench_stop() {
	local pid=$1 sig=${2:-TERM}
	[[ -n $pid ]] || return 0
	kill "-$sig" "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# bench_us CMD... runs CMD with its output discarded and prints how long it
# took in microseconds. It reads bash's own clock: no process is forked to
# time it, so the figure is CMD's alone.
bench_us() {
	local t0 t1
	t0=${EPOCHREALTIME/[.,]/}
	"$@" >/dev/null 2>&1 || true
	t1=${EPOCHREALTIME/[.,]/}
	echo $((t1 - t0))
}

# bench_median prints the median of the numbers on stdin, one per line.
bench_median() {
	sort -n | awk '{a[NR] = $1} END {if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}

# bench_peak_kb FILE prints the "Maximum resident set size" (KB) of a GNU
# time -v report.
bench_peak_kb() {
	awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$1"
}
