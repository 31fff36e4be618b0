# A throwaway PostgreSQL cluster on loopback, for CI and the load harness. Source it, then:
#   throwaway_postgres_start NAME   starts a cluster (as root, through the postgres account), creates database NAME and
#                                    sets THROWAWAY_PG_URL; throwaway_postgres_stop stops it and removes its files.
# Needs Debian's postgresql package (initdb under /usr/lib/postgresql/*/bin).
throwaway_pg_dir=""

throwaway_postgres_start() {
  local name=$1 bin port
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  throwaway_pg_dir=$(mktemp -d /tmp/permanence-pg.XXXXXX)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  chown postgres:postgres "$throwaway_pg_dir"
  chmod 700 "$throwaway_pg_dir"
  runuser -u postgres -- "$bin/initdb" -D "$throwaway_pg_dir/data" -U postgres --auth=trust -E UTF8 >/dev/null
  # The suite runs its tests side by side, each with its own schema and connection pool: at 200 connections PostgreSQL
  # refused some ("too many clients already").
  runuser -u postgres -- "$bin/pg_ctl" -D "$throwaway_pg_dir/data" -l "$throwaway_pg_dir/log" -w \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$throwaway_pg_dir -c max_connections=1000" start >/dev/null
  runuser -u postgres -- "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$name"
  THROWAWAY_PG_URL="postgres://postgres@127.0.0.1:$port/$name"
}

throwaway_postgres_stop() {
  [ -n "$throwaway_pg_dir" ] || return 0
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  runuser -u postgres -- "$bin/pg_ctl" -D "$throwaway_pg_dir/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$throwaway_pg_dir"
  throwaway_pg_dir=""
}
