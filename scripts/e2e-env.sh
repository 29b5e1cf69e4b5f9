#!/usr/bin/env bash
# The real-server test environment: a private dockerd, a token-auth docker-registry, the
# @ar/test-support token server and a PostgreSQL cluster, all on loopback, all under one fresh temp dir.
#
#   bash scripts/e2e-env.sh run -- CMD ARGS...  start, run CMD with the AR_E2E_* variables, stop;
#                                               exits with CMD's status (`npm run test:e2e` does this)
#   bash scripts/e2e-env.sh up                  start and leave running; prints the env file to source
#   bash scripts/e2e-env.sh down [DIR]          stop what `up` started (DIR: default $AR_E2E_DIR,
#                                               else the last `up`) and remove its temp dir
#
# Exports (documented in packages/test-support/README.md): AR_E2E_DIR, AR_E2E_DOCKER_HOST,
# AR_E2E_REGISTRY, AR_E2E_TOKEN_SERVER, AR_E2E_TOKEN_ADMIN, AR_E2E_TOKEN_SERVICE,
# AR_E2E_TOKEN_ISSUER, AR_E2E_TOKEN_CERT, AR_E2E_TOKEN_KEY, AR_E2E_PODMAN_HOST, AR_E2E_POSTGRES_URL.
# Needs root (dockerd) and the Debian packages docker.io, docker-registry, podman and postgresql; node from
# the repo. AR_E2E_PODMAN=0 skips the Podman service (AR_E2E_PODMAN_HOST is then unset).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PKG=$ROOT/packages/test-support
TOKEN_CLI=$PKG/dist/token-server-cli.js
SERVICE=ar-e2e-registry
ISSUER=ar-e2e-token-server
LAST_UP_FILE=/tmp/ar-e2e-env.last-up
START_TIMEOUT=${AR_E2E_START_TIMEOUT:-60} # seconds, per service
STOP_TIMEOUT=20                           # seconds, per service, before SIGKILL
# AR_E2E_KEEP_LOGS=DIR: copy the service logs there before the temp dir is removed (for CI).
# AR_E2E_TOKEN_CONFIG=FILE: a token-server config file (credentials known from the start).
# Start order; stopped in reverse. Podman comes after the registry: its config names the port.
SERVICES=(dockerd token-server registry podman)
# What start_all exports and writes to $DIR/env.
EXPORTS=(AR_E2E_DIR AR_E2E_DOCKER_HOST AR_E2E_REGISTRY AR_E2E_TOKEN_SERVER AR_E2E_TOKEN_ADMIN
  AR_E2E_TOKEN_SERVICE AR_E2E_TOKEN_ISSUER AR_E2E_TOKEN_CERT AR_E2E_TOKEN_KEY AR_E2E_PODMAN_HOST
  AR_E2E_POSTGRES_URL)

DIR=
CMD_PID=

log() { printf '[e2e-env] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

usage() {
  sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

now_ms() { date +%s%3N; }

# Prints the last lines of a log file, to explain a failed start.
show_log() {
  local name=$1 file=$2
  if [[ -s $file ]]; then
    log "last lines of the $name log ($file):"
    tail -n 30 "$file" | sed 's/^/    /' >&2
  else
    log "the $name log ($file) is empty"
  fi
}

# alive PID: the process exists and is not a zombie.
alive() {
  local pid=$1 state
  [[ -n $pid && -r /proc/$pid/stat ]] || return 1
  state=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ -n $state && $state != Z && $state != X ]]
}

# ours PID: alive, and its command line names our temp dir (guards against a reused pid).
ours() {
  local pid=$1
  alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$DIR"
}

pid_of() { cat "$DIR/pids/$1" 2>/dev/null || true; }

# spawn NAME CMD ARGS...: starts CMD in its own session (so a terminal's Ctrl-C or the end of
# this script does not reach it; we stop it ourselves), output to $DIR/logs/NAME.log, and
# records its pid in $DIR/pids/NAME.
spawn() {
  local name=$1
  shift
  rm -f "$DIR/pids/$name"
  # shellcheck disable=SC2016
  setsid bash -c 'echo $$ >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' "$DIR/pids/$name" "$@" \
    </dev/null >"$DIR/logs/$name.log" 2>&1 &
  local deadline=$(($(now_ms) + 5000))
  until [[ -s $DIR/pids/$name ]]; do
    (($(now_ms) < deadline)) || die "$name did not start"
    sleep 0.02
  done
}

# wait_for NAME CHECK...: polls CHECK until it succeeds; fails with the log tail when the
# process dies or START_TIMEOUT passes.
wait_for() {
  local name=$1
  shift
  local pid deadline=$(($(now_ms) + START_TIMEOUT * 1000))
  pid=$(pid_of "$name")
  until "$@"; do
    if ! alive "$pid"; then
      show_log "$name" "$DIR/logs/$name.log"
      die "$name exited while starting"
    fi
    if (($(now_ms) >= deadline)); then
      show_log "$name" "$DIR/logs/$name.log"
      die "$name not ready after ${START_TIMEOUT}s"
    fi
    sleep 0.05
  done
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# Builds the token server unless dist is newer than every source file (cheap when fresh).
ensure_built() {
  local stale=
  if [[ ! -f $TOKEN_CLI ]]; then
    stale="dist is missing"
  elif [[ -n $(find "$PKG/src" "$PKG/package.json" -type f -newer "$TOKEN_CLI" ! -name '*.test.ts' -print -quit) ]]; then
    stale="dist is older than src"
  fi
  if [[ -n $stale ]]; then
    log "building @ar/test-support ($stale)"
    (cd "$ROOT" && npx --no-install turbo run build --filter=@ar/test-support --output-logs=errors-only >&2) ||
      die "building @ar/test-support failed"
    [[ -f $TOKEN_CLI ]] || die "the build did not produce $TOKEN_CLI"
    touch "$TOKEN_CLI" # a turbo cache hit may restore an older file
  fi
}

make_dir() {
  # Unix socket paths are limited to 108 bytes: keep the temp dir short.
  local base=${TMPDIR:-/tmp}
  ((${#base} <= 40)) || base=/tmp
  DIR=$(mktemp -d "$base/are2e.XXXXXX")
  mkdir -p "$DIR/pids" "$DIR/logs"
  : >"$DIR/.ar-e2e-env"
}

docker_ready() {
  env -u DOCKER_CONTEXT DOCKER_CONFIG="$DIR/docker-cli" \
    docker --host "unix://$DIR/docker.sock" version --format '{{.Server.Version}}' >/dev/null 2>&1
}

start_dockerd() {
  [[ $(id -u) == 0 ]] || die "dockerd needs root; run this script as root"
  command -v dockerd >/dev/null || die "dockerd not found: install the Debian package docker.io"
  command -v docker >/dev/null || die "docker (CLI) not found: install the Debian package docker.io"
  mkdir -p "$DIR/docker" "$DIR/x" "$DIR/docker-cli"
  echo '{}' >"$DIR/daemon.json"
  spawn dockerd dockerd \
    --config-file "$DIR/daemon.json" \
    --host "unix://$DIR/docker.sock" \
    --data-root "$DIR/docker" \
    --exec-root "$DIR/x" \
    --pidfile "$DIR/dockerd.pid" \
    --storage-driver=vfs \
    --iptables=false --ip6tables=false --bridge=none
}

start_token_server() {
  spawn token-server node "$TOKEN_CLI" \
    --host 127.0.0.1 --port 0 --admin-port 0 \
    --service "$SERVICE" --issuer "$ISSUER" \
    --cert-out "$DIR/token-cert.pem" --key-out "$DIR/token-key.pem" \
    --ready-file "$DIR/token-server.json" \
    ${AR_E2E_TOKEN_CONFIG:+--config "$AR_E2E_TOKEN_CONFIG"}
}

registry_ready() {
  # `GET /v2/` answers 401 with a Bearer challenge once the registry serves.
  (
    exec 3<>"/dev/tcp/127.0.0.1/$REGISTRY_PORT" &&
      printf 'GET /v2/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3 &&
      IFS= read -r -t 2 status <&3 &&
      [[ $status == *' 401 '* ]]
  ) 2>/dev/null
}

start_registry() {
  command -v docker-registry >/dev/null || die "docker-registry not found: install the Debian package docker-registry"
  local attempt
  for attempt in 1 2 3; do
    REGISTRY_PORT=$(free_port)
    cat >"$DIR/registry.yml" <<EOF
version: 0.1
log:
  level: info
  fields:
    service: registry
storage:
  filesystem:
    rootdirectory: $DIR/registry
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: 127.0.0.1:$REGISTRY_PORT
  secret: $(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  headers:
    X-Content-Type-Options: [nosniff]
auth:
  token:
    realm: $TOKEN_SERVER/token
    service: $SERVICE
    issuer: $ISSUER
    rootcertbundle: $DIR/token-cert.pem
EOF
    # REGISTRY_* variables would override the config file: drop any from our environment.
    local unset_registry_vars=() name
    for name in $(compgen -e); do [[ $name != REGISTRY_* ]] || unset_registry_vars+=(-u "$name"); done
    spawn registry env "${unset_registry_vars[@]}" docker-registry serve "$DIR/registry.yml"
    local pid deadline=$(($(now_ms) + START_TIMEOUT * 1000))
    pid=$(pid_of registry)
    while alive "$pid" && ! registry_ready && (($(now_ms) < deadline)); do sleep 0.05; done
    registry_ready && return 0
    if ! alive "$pid" && grep -q 'address already in use' "$DIR/logs/registry.log" && ((attempt < 3)); then
      log "registry port $REGISTRY_PORT was taken; trying another"
      continue
    fi
    show_log registry "$DIR/logs/registry.log"
    die "registry did not start"
  done
}

# Podman's Docker-compatible API service: a second engine for @ar/docker. Everything it keeps
# (storage, run state, temp files, registries.conf) is under $DIR: without --tmpdir the service
# writes its state to /run/libpod, shared with the machine's podman. vfs storage needs no
# kernel overlay support; the registry is plain HTTP, so registries.conf marks it insecure.
podman_ready() {
  CONTAINERS_REGISTRIES_CONF=$DIR/podman/registries.conf \
    podman --url "unix://$DIR/podman.sock" version >/dev/null 2>&1
}

start_podman() {
  if [[ ${AR_E2E_PODMAN:-1} == 0 ]]; then
    log "podman: skipped (AR_E2E_PODMAN=0)"
    return 0
  fi
  command -v podman >/dev/null || die "podman not found: install the Debian package podman (or set AR_E2E_PODMAN=0)"
  mkdir -p "$DIR/podman/root" "$DIR/podman/run" "$DIR/podman/tmp"
  printf '[[registry]]\nlocation = "127.0.0.1:%s"\ninsecure = true\n' "$REGISTRY_PORT" >"$DIR/podman/registries.conf"
  # containers.conf: no journald or systemd on these machines; events go to a file under $DIR.
  printf '[engine]\nevents_logger = "file"\nevents_logfile_path = "%s"\ncgroup_manager = "cgroupfs"\n' \
    "$DIR/podman/events.log" >"$DIR/podman/containers.conf"
  CONTAINERS_REGISTRIES_CONF=$DIR/podman/registries.conf CONTAINERS_CONF=$DIR/podman/containers.conf \
    spawn podman podman \
    --root "$DIR/podman/root" --runroot "$DIR/podman/run" --tmpdir "$DIR/podman/tmp" \
    --storage-driver vfs system service --time=0 "unix://$DIR/podman.sock"
  wait_for podman podman_ready
  export AR_E2E_PODMAN_HOST=unix://$DIR/podman.sock
}

# PostgreSQL: a private cluster owned by the `postgres` user (initdb refuses root), its data and
# socket under $DIR/postgres, listening on a loopback port. Debian keeps the binaries off PATH.
# pg_ctl daemonizes the server, so it is stopped with pg_ctl rather than by pid (stop_postgres).
pg_bin() {
  local ctl
  ctl=$(ls /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -n 1)
  [[ -n $ctl ]] || die "PostgreSQL not found: install the Debian package postgresql"
  dirname "$ctl"
}

as_postgres() { runuser -u postgres -- "$@"; }

start_postgres() {
  [[ $(id -u) == 0 ]] || die "the PostgreSQL cluster runs as the postgres user: run this script as root"
  local bin attempt
  bin=$(pg_bin)
  # The cluster's owner must reach its directory: traverse-only for others on $DIR.
  chmod 711 "$DIR"
  mkdir -p "$DIR/postgres"
  chown postgres: "$DIR/postgres"
  as_postgres "$bin/initdb" -D "$DIR/postgres/data" -U postgres --auth=trust -E UTF8 --no-sync \
    >"$DIR/logs/postgres-initdb.log" 2>&1 || {
    show_log postgres-initdb "$DIR/logs/postgres-initdb.log"
    die "initdb failed"
  }
  touch "$DIR/logs/postgres.log" && chown postgres: "$DIR/logs/postgres.log"
  for attempt in 1 2 3; do
    POSTGRES_PORT=$(free_port)
    if as_postgres "$bin/pg_ctl" -D "$DIR/postgres/data" -l "$DIR/logs/postgres.log" -w -t "$START_TIMEOUT" \
      -o "-k $DIR/postgres -p $POSTGRES_PORT -h 127.0.0.1 -c fsync=off" start >/dev/null; then
      export AR_E2E_POSTGRES_URL=postgres://postgres@127.0.0.1:$POSTGRES_PORT/postgres
      return 0
    fi
    if grep -q 'could not bind' "$DIR/logs/postgres.log" && ((attempt < 3)); then
      log "postgres port $POSTGRES_PORT was taken; trying another"
      continue
    fi
    break
  done
  show_log postgres "$DIR/logs/postgres.log"
  die "postgres did not start"
}

stop_postgres() {
  [[ -f $DIR/postgres/data/postmaster.pid ]] || return 0
  as_postgres "$(pg_bin)/pg_ctl" -D "$DIR/postgres/data" -m fast -t "$STOP_TIMEOUT" stop >/dev/null 2>&1 || {
    local pid
    pid=$(head -n 1 "$DIR/postgres/data/postmaster.pid" 2>/dev/null || true)
    log "postgres did not stop in ${STOP_TIMEOUT}s; killing it"
    ! ours "$pid" || kill -KILL "$pid" 2>/dev/null || true
  }
}

start_all() {
  local started_ms
  ensure_built
  started_ms=$(now_ms)
  make_dir
  log "starting in $DIR"
  start_dockerd # slowest: starts first, waited for last
  start_token_server
  wait_for token-server test -s "$DIR/token-server.json"
  local ready
  ready=$(node -e 'const r=require(process.argv[1]);console.log(r.url+" "+r.adminUrl)' "$DIR/token-server.json")
  TOKEN_SERVER=${ready% *}
  TOKEN_ADMIN=${ready#* }
  start_registry
  unset AR_E2E_PODMAN_HOST # set by start_podman when it runs
  start_podman
  start_postgres
  wait_for dockerd docker_ready

  export AR_E2E_DIR=$DIR
  export AR_E2E_DOCKER_HOST=unix://$DIR/docker.sock
  export AR_E2E_REGISTRY=127.0.0.1:$REGISTRY_PORT
  export AR_E2E_TOKEN_SERVER=$TOKEN_SERVER
  export AR_E2E_TOKEN_ADMIN=$TOKEN_ADMIN
  export AR_E2E_TOKEN_SERVICE=$SERVICE
  export AR_E2E_TOKEN_ISSUER=$ISSUER
  export AR_E2E_TOKEN_CERT=$DIR/token-cert.pem
  export AR_E2E_TOKEN_KEY=$DIR/token-key.pem
  local name
  # An unset variable (AR_E2E_PODMAN_HOST when Podman is skipped) stays out of the file.
  for name in "${EXPORTS[@]}"; do [[ -z ${!name-} ]] || printf 'export %s=%q\n' "$name" "${!name}"; done >"$DIR/env"
  log "up in $(($(now_ms) - started_ms)) ms: docker $AR_E2E_DOCKER_HOST, podman ${AR_E2E_PODMAN_HOST:-(skipped)}, registry $AR_E2E_REGISTRY, token server $AR_E2E_TOKEN_SERVER (admin $AR_E2E_TOKEN_ADMIN), postgres $AR_E2E_POSTGRES_URL; logs in $DIR/logs"
}

# stop_one NAME: SIGTERM, wait, SIGKILL if it does not go.
stop_one() {
  local name=$1 pid deadline
  pid=$(pid_of "$name")
  ours "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  deadline=$(($(now_ms) + STOP_TIMEOUT * 1000))
  while alive "$pid" && (($(now_ms) < deadline)); do sleep 0.05; done
  if alive "$pid"; then
    log "$name (pid $pid) did not stop in ${STOP_TIMEOUT}s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
}

stop_all() {
  [[ -n $DIR && -d $DIR && -e $DIR/.ar-e2e-env ]] || return 0
  set +e # best effort from here: stop everything even if one step fails
  local i pid
  stop_postgres
  for ((i = ${#SERVICES[@]} - 1; i >= 0; i--)); do stop_one "${SERVICES[i]}"; done
  # dockerd stops the containerd it started; make sure.
  pid=$(cat "$DIR/x/containerd/containerd.pid" 2>/dev/null || true)
  if ours "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    sleep 0.5
    ! alive "$pid" || kill -KILL "$pid" 2>/dev/null || true
  fi
  # Nothing may stay mounted under the dir before it is removed.
  local mounts
  mounts=$(awk -v d="$DIR/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r)
  [[ -z $mounts ]] || xargs -r -n1 umount -l <<<"$mounts" || true
  if [[ -n ${AR_E2E_KEEP_LOGS:-} ]]; then
    if mkdir -p "$AR_E2E_KEEP_LOGS" && cp -p "$DIR"/logs/*.log "$AR_E2E_KEEP_LOGS"/; then
      log "logs copied to $AR_E2E_KEEP_LOGS"
    fi
  fi
  rm -rf -- "$DIR"
  if [[ -f $LAST_UP_FILE && $(cat "$LAST_UP_FILE") == "$DIR" ]]; then rm -f "$LAST_UP_FILE"; fi
}

on_exit() {
  local status=$?
  trap - EXIT INT TERM
  if [[ -n $CMD_PID ]] && alive "$CMD_PID"; then signal_tree TERM "$CMD_PID"; fi
  stop_all
  exit "$status"
}

# descendants PID: the pids of PID's children, their children, ... (from /proc; no procps needed).
descendants() {
  local -A kids=()
  local stat line pid rest ppid
  for stat in /proc/[0-9]*/stat; do
    { IFS= read -r line <"$stat"; } 2>/dev/null || continue
    pid=${line%% *}
    rest=${line##*) }
    ppid=${rest#* }
    kids[${ppid%% *}]+=" $pid"
  done
  local queue=("$1") next child
  while ((${#queue[@]} > 0)); do
    next=${queue[0]}
    queue=("${queue[@]:1}")
    for child in ${kids[$next]:-}; do
      echo "$child"
      queue+=("$child")
    done
  done
}

# signal_tree SIGNAL PID: signals PID and everything it started (a `sh -c` does not pass signals on).
signal_tree() {
  local signal=$1 pid=$2
  # shellcheck disable=SC2046
  kill "-$signal" "$pid" $(descendants "$pid") 2>/dev/null || true
}

on_signal() {
  local signal=$1 deadline
  log "got SIG$signal; stopping"
  if [[ -n $CMD_PID ]] && alive "$CMD_PID"; then
    signal_tree "$signal" "$CMD_PID"
    deadline=$(($(now_ms) + 10000))
    while alive "$CMD_PID" && (($(now_ms) < deadline)); do sleep 0.1; done
    if alive "$CMD_PID"; then signal_tree KILL "$CMD_PID"; fi
  fi
  exit $((128 + $(kill -l "$signal")))
}

cmd_run() {
  [[ ${1:-} == -- ]] && shift
  (($# > 0)) || usage
  trap on_exit EXIT
  trap 'on_signal INT' INT
  trap 'on_signal TERM' TERM
  start_all
  # Like `npm run`, so `run -- turbo ...` works from a plain shell too.
  export PATH=$ROOT/node_modules/.bin:$PATH
  local status=0
  # In the background so that a signal reaches our trap at once (bash runs traps only between
  # commands), with SIGINT/SIGQUIT back to default (bash ignores them in background jobs) and
  # stdin kept (not /dev/null).
  (
    trap - INT QUIT
    exec "$@"
  ) <&0 &
  CMD_PID=$!
  wait "$CMD_PID" || status=$?
  CMD_PID=
  exit "$status"
}

cmd_up() {
  (($# == 0)) || usage
  trap on_exit EXIT
  trap 'on_signal INT' INT
  trap 'on_signal TERM' TERM
  start_all
  echo "$DIR" >"$LAST_UP_FILE"
  trap - EXIT INT TERM
  cat <<EOF
The e2e environment is up. In your shell:
  source $DIR/env
Stop it with:
  bash scripts/e2e-env.sh down $DIR
EOF
}

cmd_down() {
  (($# <= 1)) || usage
  DIR=${1:-${AR_E2E_DIR:-}}
  if [[ -z $DIR && -f $LAST_UP_FILE ]]; then DIR=$(cat "$LAST_UP_FILE"); fi
  [[ -n $DIR ]] || die "which environment? Pass its dir, or set AR_E2E_DIR (source its env file)"
  DIR=${DIR%/}
  [[ -e $DIR/.ar-e2e-env ]] || die "$DIR is not an e2e environment started by this script (or is already down)"
  stop_all
  log "down: stopped and removed $DIR"
}

case ${1:-} in
  run) shift && cmd_run "$@" ;;
  up) shift && cmd_up "$@" ;;
  down) shift && cmd_down "$@" ;;
  *) usage ;;
esac
