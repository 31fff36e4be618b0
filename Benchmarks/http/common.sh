# Shared by the HTTP harnesses; sourced from the repository's root.
# Sets `binary` (PERMANENCE_BINARY, or a release build made here) and checks that wrk is installed.
binary=${PERMANENCE_BINARY:-}
if [ -z "$binary" ]; then
  swift build -c release --product permanence
  binary=.build/release/permanence
fi
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 1; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Starts `$1` servers one after the other (the first migrates the database), logs in folder `$2`, and nginx in front of
# them with the deployment's proxy settings (deploy/nginx/permanence-proxy.conf). Sets `base` (nginx's address),
# `servers` (the pids, nginx's last) and `server_pids` (the instances').
start_balanced() {
  local count=$1 folder=$2 upstreams="" port n pid
  command -v nginx >/dev/null || { echo "nginx is needed: apt-get install nginx"; exit 1; }
  server_pids=""
  for n in $(seq 1 "$count"); do
    port=$(free_port)
    PORT=$port "$binary" serve >"$folder/server-$n.log" 2>&1 &
    pid=$!
    server_pids="$server_pids $pid"
    for _ in $(seq 1 600); do curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.1; done
    upstreams="$upstreams        server 127.0.0.1:$port max_fails=3 fail_timeout=1s;
"
  done
  port=$(free_port)
  cat >"$folder/nginx.conf" <<CONF
daemon off; worker_processes 1; pid $folder/nginx.pid; error_log $folder/nginx-error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $folder/body; proxy_temp_path $folder/proxy;
    fastcgi_temp_path $folder/fastcgi; uwsgi_temp_path $folder/uwsgi; scgi_temp_path $folder/scgi;
    upstream permanence {
$upstreams        keepalive 32;
    }
    server {
        listen 127.0.0.1:$port;
        include $PWD/deploy/nginx/permanence-proxy.conf;
    }
}
CONF
  nginx -c "$folder/nginx.conf" &
  servers="$server_pids $!"
  base="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do curl -fsS "$base/health" >/dev/null 2>&1 && break; sleep 0.1; done
}

# The resident memory of each instance, in MB.
instances_memory() {
  local pid out=""
  for pid in $server_pids; do out="$out $(ps -o rss= -p "$pid" | awk '{printf "%.0f MB", $1 / 1024}')"; done
  echo "$out"
}

# The server(s) of a run on engine `$1`: one on $PORT, or INSTANCES behind nginx (start_balanced); logs in `$work`.
start_servers() {
  local engine=$1
  if [ -n "${INSTANCES:-}" ]; then
    [ "$engine" = postgres ] || [ "$INSTANCES" = 1 ] || { echo "several instances need PostgreSQL"; exit 1; }
    start_balanced "$INSTANCES" "$work"
    echo "$INSTANCES instance(s) behind nginx"
  else
    "$binary" serve >"$work/server-$engine.log" 2>&1 &
    servers=$!; server_pids=$servers
    base="http://127.0.0.1:$PORT"
    for _ in $(seq 1 600); do curl -fsS "$base/health" >/dev/null 2>&1 && break; sleep 0.1; done
  fi
}
