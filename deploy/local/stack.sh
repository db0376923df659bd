#!/usr/bin/env bash
# Local Kafka broker and PostgreSQL server for development and tests.
# Usage and layout: deploy/local/README.md.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd "$HERE/../.." && pwd -P)
# KISALLI_STATE_DIR lets a second stack (another checkout's tests, a fault
# run) live beside this one; give it its own ports too.
STATE=${KISALLI_STATE_DIR:-$HERE/.state}
CACHE=$HERE/.cache

KAFKA_PORT=${KISALLI_KAFKA_PORT:-9092}
CONTROLLER_PORT=${KISALLI_KAFKA_CONTROLLER_PORT:-9093}
KAFKA_STATE=$STATE/kafka
KAFKA_LIB=$CACHE/kafka/lib
KAFKA_PID=$KAFKA_STATE/kafka.pid
KAFKA_LOG=$KAFKA_STATE/logs/server.log
KAFKA_OUT=$KAFKA_STATE/logs/kafka.out
KAFKA_READY_TIMEOUT=90
KAFKA_STOP_TIMEOUT=30

PG_PORT=${KISALLI_PG_PORT:-55432}
PG_ROLE=kisalli
PG_PASSWORD=kisalli
PG_DATABASES=(
    kisalli_accounts
    kisalli_feedback
    kisalli_payments
    kisalli_notifications
)
# Unix socket paths longer than this are rejected by the kernel.
SOCKET_PATH_MAX=107

say() { printf '%s\n' "$*"; }
die() { printf '%s\n' "$*" >&2; exit 1; }

usage() {
    cat <<EOF
usage: $(basename "$0") COMMAND
  up [kafka|postgres|all]...    start (default all); a no-op when running
  down [kafka|postgres|all]...  stop, keeping data (default all)
  restart kafka|postgres|all... stop and start again, keeping data
  status                        show what runs where
  env                           print export lines for the services
  logs kafka|postgres [-f]      show (or follow) a server log
  wipe                          stop everything and delete all local data
EOF
}

port_open() {
    timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# A zombie still answers kill -0, so read the process state instead.
alive() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [[ ${stat%% *} != Z ]]
}

wait_gone() {
    local pid=$1 deadline=$((SECONDS + $2))
    while alive "$pid"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.5
    done
}

# Serialises commands that start or stop servers. Servers are started
# with fd 9 closed; otherwise they would hold the lock for their lifetime.
take_lock() {
    mkdir -p "$STATE"
    exec 9>"$STATE/.lock"
    flock -w 300 9 \
        || die "another stack.sh has held $STATE/.lock for 300 s; giving up"
}

# ---------------------------------------------------------------- kafka

require_java() {
    command -v java >/dev/null \
        || die "kafka: java not found; install a JDK 17 or newer (apt-get install -y openjdk-17-jre-headless)"
    local version major
    version=$(java -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
    major=${version%%.*}
    if ! [[ $major =~ ^[0-9]+$ ]] || ((major < 17)); then
        die "kafka: java ${version:-of unknown version} is too old; install a JDK 17 or newer (apt-get install -y openjdk-17-jre-headless)"
    fi
}

# The stamp holds the pom's hash, so editing the pom refreshes the jars.
kafka_fetch() {
    local stamp=$KAFKA_LIB/.pom.sha256 want tmp=$CACHE/kafka/lib.partial
    want=$(sha256sum "$HERE/kafka/pom.xml" | cut -d' ' -f1)
    if [[ -f $stamp && $(<"$stamp") == "$want" ]]; then
        return
    fi
    command -v mvn >/dev/null \
        || die "kafka: mvn not found; install Maven (apt-get install -y maven)"

    say "kafka: resolving broker jars with Maven"
    rm -rf "$tmp"
    mkdir -p "$tmp"
    mkdir -p "$KAFKA_STATE/logs"
    mvn -B -f "$HERE/kafka/pom.xml" dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$tmp" \
        >"$KAFKA_STATE/logs/maven.log" 2>&1 \
        || die "kafka: Maven could not resolve the broker jars; see $KAFKA_STATE/logs/maven.log"
    echo "$want" >"$tmp/.pom.sha256"
    rm -rf "$KAFKA_LIB"
    mv "$tmp" "$KAFKA_LIB"
}

kafka_render_config() {
    local text
    text=$(<"$HERE/kafka/server.properties")
    text=${text//@KAFKA_STATE@/"$KAFKA_STATE"}
    text=${text//@KAFKA_PORT@/"$KAFKA_PORT"}
    text=${text//@CONTROLLER_PORT@/"$CONTROLLER_PORT"}
    printf '%s\n' "$text" >"$KAFKA_STATE/server.properties"
}

KAFKA_JAVA=(
    java -Xms256m -Xmx512m -XX:+ExitOnOutOfMemoryError
    -Djava.awt.headless=true
    -Dkafka.logs.dir="$KAFKA_STATE/logs"
    -Dlog4j2.configurationFile="$HERE/kafka/log4j2.xml"
    -cp "$KAFKA_LIB/*"
)

# The config names controller.quorum.bootstrap.servers, so the single
# controller is formatted --standalone.
kafka_format() {
    [[ -f $KAFKA_STATE/data/meta.properties ]] && return
    local cluster_id
    cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
    "${KAFKA_JAVA[@]}" kafka.tools.StorageTool format \
        --config "$KAFKA_STATE/server.properties" \
        --cluster-id "$cluster_id" --standalone --ignore-formatted \
        >"$KAFKA_STATE/logs/format.out" 2>&1 \
        || die "kafka: formatting storage failed; see $KAFKA_STATE/logs/format.out"
}

# Prints the broker's pid when the pid file names a live broker of ours.
kafka_pid() {
    [[ -f $KAFKA_PID ]] || return 1
    local pid
    pid=$(<"$KAFKA_PID")
    [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null \
        | grep -qF "kafka.Kafka $KAFKA_STATE/server.properties" || return 1
    echo "$pid"
}

# The port the running broker listens on, which wins over KISALLI_KAFKA_PORT.
kafka_running_port() {
    sed -n 's|^advertised.listeners=PLAINTEXT://127.0.0.1:||p' \
        "$KAFKA_STATE/server.properties" 2>/dev/null
}

kafka_up() {
    local pid port
    if pid=$(kafka_pid); then
        say "kafka: already running (pid $pid) on 127.0.0.1:$(kafka_running_port)"
        return
    fi
    require_java
    kafka_fetch
    for port in "$KAFKA_PORT" "$CONTROLLER_PORT"; do
        ! port_open "$port" \
            || die "kafka: 127.0.0.1:$port is taken by another process; stop it or set KISALLI_KAFKA_PORT / KISALLI_KAFKA_CONTROLLER_PORT"
    done
    mkdir -p "$KAFKA_STATE/logs"
    kafka_render_config
    kafka_format

    # Readiness is read from a fresh log; the previous run's stays as .1.
    if [[ -f $KAFKA_LOG ]]; then
        mv -f "$KAFKA_LOG" "$KAFKA_LOG.1"
    fi
    rm -f "$KAFKA_PID"
    say "kafka: starting on 127.0.0.1:$KAFKA_PORT"
    # setsid detaches the broker from the caller's session; the wrapper
    # records its own pid, which exec hands on to java.
    # shellcheck disable=SC2016 # expanded by the inner shell
    nohup setsid bash -c 'echo $$ >"$0"; exec "$@"' "$KAFKA_PID" \
        "${KAFKA_JAVA[@]}" kafka.Kafka "$KAFKA_STATE/server.properties" \
        >"$KAFKA_OUT" 2>&1 </dev/null 9>&- &
    kafka_wait_ready
}

kafka_wait_ready() {
    local deadline=$((SECONDS + KAFKA_READY_TIMEOUT)) pid
    while ((SECONDS < deadline)); do
        if [[ -s $KAFKA_PID ]] && ! kafka_pid >/dev/null; then
            die "kafka: the broker exited while starting; see $KAFKA_LOG and $KAFKA_OUT"
        fi
        if port_open "$KAFKA_PORT" \
            && grep -q 'Kafka Server started' "$KAFKA_LOG" 2>/dev/null; then
            say "kafka: ready (pid $(kafka_pid))"
            return
        fi
        sleep 0.5
    done
    pid=$(kafka_pid) || pid=gone
    die "kafka: not ready after ${KAFKA_READY_TIMEOUT}s (pid $pid); see $KAFKA_LOG"
}

kafka_down() {
    local pid
    if ! pid=$(kafka_pid); then
        rm -f "$KAFKA_PID"
        say "kafka: not running"
        return
    fi
    say "kafka: stopping (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" "$KAFKA_STOP_TIMEOUT"; then
        say "kafka: still running after ${KAFKA_STOP_TIMEOUT}s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
        wait_gone "$pid" 10 || die "kafka: pid $pid survived SIGKILL"
    fi
    rm -f "$KAFKA_PID"
    say "kafka: stopped"
}

kafka_status() {
    local pid
    if pid=$(kafka_pid); then
        say "kafka:    running, pid $pid, 127.0.0.1:$(kafka_running_port), state in $KAFKA_STATE"
    else
        say "kafka:    stopped (state in $KAFKA_STATE)"
        return 1
    fi
}

# ------------------------------------------------------------- postgres

# PostgreSQL refuses to run as root, so root hands the server to the
# `postgres` system user; anyone else runs it as themselves.
as_pg() {
    if ((EUID == 0)); then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

pg_find_bin() {
    local dir candidates=() installed=(/usr/lib/postgresql/*/bin)
    [[ -n ${KISALLI_PG_BIN:-} ]] && candidates+=("$KISALLI_PG_BIN")
    # Newest major version first.
    mapfile -t -O "${#candidates[@]}" candidates \
        < <(printf '%s\n' "${installed[@]}" | sort -rV)
    if command -v pg_ctl >/dev/null; then
        candidates+=("$(dirname "$(readlink -f "$(command -v pg_ctl)")")")
    fi
    for dir in "${candidates[@]}"; do
        if [[ -x $dir/initdb && -x $dir/pg_ctl && -x $dir/psql ]]; then
            PG_BIN=$dir
            return 0
        fi
    done
    return 1
}

pg_require_bin() {
    pg_find_bin && return
    ((EUID == 0)) \
        || die "postgres: server binaries not found; as root run: apt-get update && apt-get install -y postgresql"
    command -v apt-get >/dev/null \
        || die "postgres: server binaries not found and apt-get is missing; install PostgreSQL and set KISALLI_PG_BIN to its bin folder"

    say "postgres: installing the server (apt-get install postgresql)"
    mkdir -p "$STATE"
    { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql; } \
        >"$STATE/apt.log" 2>&1 \
        || die "postgres: could not install the postgresql package; see $STATE/apt.log"
    pg_find_bin \
        || die "postgres: the postgresql package brought no binaries under /usr/lib/postgresql"
}

pg_fallback_root() {
    local hash
    hash=$(printf '%s' "$STATE" | sha256sum | cut -c1-12)
    echo "/var/tmp/kisalli-$hash/postgres"
}

# The cluster lives in .state/postgres unless the server's user cannot
# reach the checkout (e.g. a clone under /root) or the socket path would
# be too long; then it goes to a folder keyed by the state folder's path,
# so two checkouts (or two stacks of one) never share a cluster.
pg_resolve_root() {
    local preferred=$STATE/postgres fallback
    fallback=$(pg_fallback_root)
    if [[ -d $fallback/data ]]; then
        PG_ROOT=$fallback
    elif pg_root_usable "$preferred"; then
        PG_ROOT=$preferred
    else
        PG_ROOT=$fallback
    fi
    PG_DATA=$PG_ROOT/data
    PG_SOCKETS=$PG_ROOT/run
    PG_LOG=$PG_ROOT/postgres.log
}

pg_root_usable() {
    local socket="$1/run/.s.PGSQL.$PG_PORT"
    ((${#socket} <= SOCKET_PATH_MAX)) || return 1
    if ((EUID == 0)) && id -u postgres >/dev/null 2>&1; then
        as_pg test -x "$HERE"
    fi
}

pg_external() {
    [[ -n ${DATABASE_URL:-} && $DATABASE_URL != "$(pg_local_url)" ]]
}

pg_local_url() {
    echo "postgresql://$PG_ROLE:$PG_PASSWORD@127.0.0.1:$PG_PORT/postgres"
}

# Prints the postmaster's pid when our cluster runs.
pg_pid() {
    local pid
    pid=$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null) || return 1
    [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" || return 1
    [[ $(cat "/proc/$pid/comm" 2>/dev/null) == postgres ]] || return 1
    echo "$pid"
}

# The port the running cluster listens on, which wins over KISALLI_PG_PORT.
pg_running_port() {
    sed -n 4p "$PG_DATA/postmaster.pid" 2>/dev/null
}

pg_make_root() {
    mkdir -p "$PG_ROOT"
    if ((EUID == 0)); then
        id -u postgres >/dev/null 2>&1 \
            || die "postgres: the 'postgres' system user is missing; install it with: apt-get install -y postgresql"
        # The server's user must traverse the folders above its own.
        chmod o+x "$STATE" "$(dirname "$PG_ROOT")"
        chown postgres:postgres "$PG_ROOT"
    fi
    chmod 700 "$PG_ROOT"
}

pg_init() {
    [[ -f $PG_DATA/PG_VERSION ]] && return
    pg_make_root
    local pwfile=$PG_ROOT/.pwfile
    printf '%s\n' "$PG_PASSWORD" >"$pwfile"
    ((EUID != 0)) || chown postgres:postgres "$pwfile"

    say "postgres: creating a cluster in $PG_DATA"
    as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U "$PG_ROLE" --pwfile="$pwfile" \
        -E UTF8 --locale=C.UTF-8 \
        >"$PG_ROOT/initdb.log" 2>&1 \
        || { rm -f "$pwfile"; die "postgres: initdb failed; see $PG_ROOT/initdb.log"; }
    rm -f "$pwfile"

    # The socket folder is private to the server's user, so local trust
    # reaches no one else; TCP asks for the password.
    as_pg tee "$PG_DATA/pg_hba.conf" >/dev/null <<'EOF'
local   all   all                  trust
host    all   all   127.0.0.1/32   scram-sha-256
EOF
    as_pg tee -a "$PG_DATA/postgresql.conf" >/dev/null <<'EOF'

include_if_exists = 'local_stack.conf'
EOF
}

# Rewritten on every start so KISALLI_PG_PORT and a moved checkout apply.
pg_write_conf() {
    as_pg mkdir -p "$PG_SOCKETS"
    as_pg tee "$PG_DATA/local_stack.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCKETS'
unix_socket_permissions = 0700
fsync = on
EOF
}

pg_psql() {
    as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 \
        -h "$PG_SOCKETS" -p "$(pg_running_port)" -U "$PG_ROLE" -d postgres "$@"
}

pg_create_databases() {
    local names
    names=$(printf "'%s'," "${PG_DATABASES[@]}")
    pg_psql -f - <<EOF
select format('create database %I owner %I', name, '$PG_ROLE')
from unnest(array[${names%,}]) as name
where not exists (select from pg_database where datname = name)
\gexec
EOF
}

pg_up() {
    if pg_external; then
        say "postgres: DATABASE_URL is set; using that external server"
        return
    fi
    pg_require_bin
    pg_resolve_root
    local pid
    if pid=$(pg_pid); then
        say "postgres: already running (pid $pid) on 127.0.0.1:$(pg_running_port)"
        pg_create_databases
        return
    fi
    ! port_open "$PG_PORT" \
        || die "postgres: 127.0.0.1:$PG_PORT is taken by another process; stop it or set KISALLI_PG_PORT"
    pg_init
    pg_write_conf

    say "postgres: starting on 127.0.0.1:$PG_PORT"
    as_pg "$PG_BIN/pg_ctl" start -D "$PG_DATA" -l "$PG_LOG" -w -t 60 -s 9>&- \
        || die "postgres: the server did not start; see $PG_LOG"
    pg_create_databases
    say "postgres: ready (data in $PG_DATA)"
}

pg_down() {
    if pg_external; then
        say "postgres: DATABASE_URL is set; the external server is left alone"
        return
    fi
    pg_resolve_root
    if ! pg_pid >/dev/null; then
        say "postgres: not running"
        return
    fi
    pg_require_bin
    say "postgres: stopping"
    as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w -t 60 -s \
        || die "postgres: the server did not stop; see $PG_LOG"
    say "postgres: stopped"
}

pg_status() {
    if pg_external; then
        say "postgres: external server from DATABASE_URL"
        return
    fi
    pg_resolve_root
    local pid
    if pid=$(pg_pid); then
        say "postgres: running, pid $pid, 127.0.0.1:$(pg_running_port), data in $PG_DATA"
    else
        say "postgres: stopped (data in $PG_DATA)"
        return 1
    fi
}

# ------------------------------------------------------------- commands

# Prints the servers named by the arguments, each once, postgres first.
targets() {
    local arg kafka=0 postgres=0
    for arg in "${@:-all}"; do
        case $arg in
            all) kafka=1 postgres=1 ;;
            kafka) kafka=1 ;;
            postgres) postgres=1 ;;
            *) usage >&2; exit 2 ;;
        esac
    done
    ((postgres)) && echo postgres
    ((kafka)) && echo kafka
    return 0
}

run_up() {
    local target
    for target in $(targets "$@"); do
        case $target in
            kafka) kafka_up ;;
            postgres) pg_up ;;
        esac
    done
}

run_down() {
    local target
    for target in $(targets "$@" | tac); do
        case $target in
            kafka) kafka_down ;;
            postgres) pg_down ;;
        esac
    done
}

cmd_status() {
    local healthy=0
    kafka_status || healthy=1
    pg_status || healthy=1
    return $healthy
}

cmd_env() {
    local url=${DATABASE_URL:-}
    if ! pg_external; then
        pg_resolve_root
        if pg_pid >/dev/null; then
            PG_PORT=$(pg_running_port)
        fi
        url=$(pg_local_url)
    fi
    if kafka_pid >/dev/null; then
        KAFKA_PORT=$(kafka_running_port)
    fi
    printf 'export KAFKA_BOOTSTRAP_SERVERS=%s\n' "127.0.0.1:$KAFKA_PORT"
    printf 'export DATABASE_URL=%q\n' "$url"
}

cmd_logs() {
    local file follow=()
    [[ ${2:-} == -f ]] && follow=(-F)
    case ${1:-} in
        kafka) file=$KAFKA_LOG ;;
        postgres) pg_resolve_root; file=$PG_LOG ;;
        *) usage >&2; exit 2 ;;
    esac
    [[ -f $file ]] || die "$1: no log yet at $file"
    tail -n 200 "${follow[@]}" "$file"
}

cmd_wipe() {
    run_down all
    pg_resolve_root
    rm -rf "$STATE" "$(dirname "$(pg_fallback_root)")"
    say "local stack data deleted"
}

main() {
    local command=${1:-}
    shift || true
    case $command in
        up | down | restart) targets "$@" >/dev/null ;; # exits on a bad name
    esac
    case $command in
        up) take_lock; run_up "$@" ;;
        down) take_lock; run_down "$@" ;;
        restart) take_lock; run_down "$@"; run_up "$@" ;;
        status) cmd_status ;;
        env) cmd_env ;;
        logs) cmd_logs "$@" ;;
        wipe) take_lock; cmd_wipe ;;
        -h | --help | help) usage ;;
        *) usage >&2; exit 2 ;;
    esac
}

main "$@"
