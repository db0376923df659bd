#!/usr/bin/env bash
# The whole system on this machine: Kafka and PostgreSQL (stack.sh), the
# mail catcher, the four services and the gateway, run by honcho from
# deploy/local/Procfile. Usage and layout: deploy/local/README.md.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd "$HERE/../.." && pwd -P)
STATE=${KISALLI_STATE_DIR:-$HERE/.state}
RUN=$STATE/run
KEYS=$STATE/keys
ENV_FILE=$STATE/kisalli.env
GATEWAY_DIR=$STATE/gateway
STACK=$HERE/stack.sh
VENV=$REPO/.venv

# Each port can be moved, so that a second system (another checkout's
# tests, a fault run) can run beside this one.
GATEWAY_PORT=${KISALLI_GATEWAY_PORT:-8080}
ACCOUNTS_PORT=${KISALLI_ACCOUNTS_PORT:-8001}
FEEDBACK_PORT=${KISALLI_FEEDBACK_PORT:-8002}
PAYMENTS_PORT=${KISALLI_PAYMENTS_PORT:-8003}
NOTIFICATIONS_PORT=${KISALLI_NOTIFICATIONS_PORT:-8004}
SMTP_PORT=${KISALLI_SMTP_PORT:-1025}
MAILCATCHER_HTTP_PORT=${KISALLI_MAIL_HTTP_PORT:-8025}
SERVICES=(accounts feedback payments notifications)
GATEWAY=http://127.0.0.1:$GATEWAY_PORT
MAIL_API=http://127.0.0.1:$MAILCATCHER_HTTP_PORT

READY_TIMEOUT=${KISALLI_READY_TIMEOUT:-180}
STOP_TIMEOUT=30

say() { printf '%s\n' "$*"; }
die() { printf '%s\n' "$*" >&2; exit 1; }

usage() {
    cat <<EOF
usage: $(basename "$0") [COMMAND]
  (none), foreground  start everything here; Ctrl-C stops it all, Kafka and PostgreSQL too
  start               start in the background, logs in $RUN/system.log; waits until ready
  stop                stop what start started (Kafka and PostgreSQL keep running)
  status              what answers where
  prepare             start Kafka and PostgreSQL, write keys, settings and gateway
                      configuration, start nothing else (for a supervisor of one's own)
  env                 the settings file the processes read
  install             install what the system needs beyond Python (Debian's nginx)
Environment: KISALLI_STATE_DIR (default deploy/local/.state), the stack's ports
(see stack.sh), KISALLI_GATEWAY_PORT, KISALLI_ACCOUNTS_PORT, KISALLI_FEEDBACK_PORT,
KISALLI_PAYMENTS_PORT, KISALLI_NOTIFICATIONS_PORT, KISALLI_SMTP_PORT, KISALLI_MAIL_HTTP_PORT.
EOF
}

port_open() {
    timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# Prints the status code of GET http://127.0.0.1:PORT/PATH, or nothing.
# The answer is read to its end: a server whose answer is cut off may log
# the broken connection.
http_status() {
    # shellcheck disable=SC2016 # expanded by the inner shell
    timeout 5 bash -c '
        exec 3<>"/dev/tcp/127.0.0.1/$0" || exit 1
        printf "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" "$1" >&3
        IFS=" " read -r _ code _ <&3 && printf "%s" "$code"
        cat <&3 >/dev/null
    ' "$1" "$2" 2>/dev/null || true
}

alive() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [[ ${stat%% *} != Z ]]
}

# ------------------------------------------------------------ preparing

need_python() {
    [[ -x $VENV/bin/python && -x $VENV/bin/honcho ]] \
        || die "run: the Python packages are missing; run: make install (or uv sync --all-packages --frozen)"
}

# Debian's nginx, installed when missing and we may.
need_nginx() {
    NGINX=$(command -v nginx || true)
    [[ -z $NGINX && -x /usr/sbin/nginx ]] && NGINX=/usr/sbin/nginx
    [[ -n $NGINX ]] && return
    if ((EUID != 0)) || ! command -v apt-get >/dev/null; then
        die "gateway: nginx not found; as root run: apt-get update && apt-get install -y nginx"
    fi
    say "gateway: installing Debian's nginx (apt-get install nginx)"
    mkdir -p "$STATE"
    { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y \
        --no-install-recommends nginx; } >"$STATE/apt-nginx.log" 2>&1 \
        || die "gateway: could not install nginx; see $STATE/apt-nginx.log"
    NGINX=/usr/sbin/nginx
    [[ -x $NGINX ]] || die "gateway: the nginx package brought no /usr/sbin/nginx"
}

# Made once and kept: the next start finds the same keys, so sealed data
# and sessions stay readable. The signing key accounts makes itself.
write_keys() {
    (
        umask 077
        mkdir -p "$KEYS" "$STATE/accounts"
        if [[ ! -s $KEYS/personal-id.key ]]; then
            "$VENV/bin/python" -m kisalli_feedback new-key >"$KEYS/personal-id.key.new"
            mv "$KEYS/personal-id.key.new" "$KEYS/personal-id.key"
        fi
        # Accounts seals activation and reset links with it, notifications
        # opens them; accounts reads it from its state folder.
        if [[ ! -s $STATE/accounts/secret-link.key ]]; then
            "$VENV/bin/python" -c 'from cryptography.fernet import Fernet
print(Fernet.generate_key().decode())' >"$STATE/accounts/secret-link.key.new"
            mv "$STATE/accounts/secret-link.key.new" "$STATE/accounts/secret-link.key"
        fi
    )
}

# Kafka and PostgreSQL as stack.sh reports them, unless set already (the
# tests may bring servers of their own).
stack_addresses() {
    local kafka=${KAFKA_BOOTSTRAP_SERVERS:-}
    eval "$(bash "$STACK" env)"
    KAFKA_BOOTSTRAP_SERVERS=${kafka:-$KAFKA_BOOTSTRAP_SERVERS}
}

# Rewritten on every start from the keys and the stack's addresses.
write_env() {
    local personal_id_key
    personal_id_key=$(<"$KEYS/personal-id.key")
    (
        umask 077
        cat >"$ENV_FILE.new" <<EOF
# Written by deploy/local/run.sh on every start; change run.sh, not this.
KAFKA_BOOTSTRAP_SERVERS=$KAFKA_BOOTSTRAP_SERVERS
DATABASE_URL=$DATABASE_URL
TOPIC_PREFIX=kisalli
PUBLIC_BASE_URL=$GATEWAY
# The services answer on loopback only: the gateway, with its limits, is the way in.
HOST=127.0.0.1
JWKS_URL=http://127.0.0.1:$ACCOUNTS_PORT/.well-known/jwks.json
# Only the gateway's X-Forwarded-For is believed (accounts and uvicorn).
TRUSTED_PROXIES='["127.0.0.1/32"]'
FORWARDED_ALLOW_IPS=127.0.0.1
LOG_JSON=false
PYTHONUNBUFFERED=1
ACCOUNTS_PORT=$ACCOUNTS_PORT
FEEDBACK_PORT=$FEEDBACK_PORT
PAYMENTS_PORT=$PAYMENTS_PORT
NOTIFICATIONS_PORT=$NOTIFICATIONS_PORT
GATEWAY_PORT=$GATEWAY_PORT
ACCOUNTS_STATE_DIR=$STATE/accounts
SECRET_LINK_KEY_FILE=$STATE/accounts/secret-link.key
PERSONAL_ID_KEY=$personal_id_key
# Demo people may have temporary identity codes (individual number 900-999).
ALLOW_TEMPORARY_PERSONAL_IDS=true
SMTP_HOST=127.0.0.1
SMTP_PORT=$SMTP_PORT
MAILCATCHER_HTTP_PORT=$MAILCATCHER_HTTP_PORT
MAILCATCHER_DIR=$STATE/mail
DEBTOR_NAME='Oppisopimustoimisto, paikallinen'
DEBTOR_IBAN=FI2112345600000785
DEBTOR_BIC=NDEAFIHH
BANK_FILE_DIR=$STATE/bank-files
GATEWAY_DIR=$GATEWAY_DIR
EOF
        mv "$ENV_FILE.new" "$ENV_FILE"
    )
}

# The services' databases, where stack.sh did not make them (a server of
# the tests' own).
create_databases() {
    "$VENV/bin/python" - "${SERVICES[@]}" <<'EOF'
import asyncio, os, sys
import asyncpg

async def main() -> None:
    admin = await asyncpg.connect(os.environ["DATABASE_URL"])
    try:
        for service in sys.argv[1:]:
            name = f"kisalli_{service}"
            if not await admin.fetchval("select 1 from pg_database where datname = $1", name):
                await admin.execute(f'create database "{name}"')
    finally:
        await admin.close()

asyncio.run(main())
EOF
}

render_gateway() {
    local text user=""
    # Workers need no rights: bodies and answers never touch the disk.
    ((EUID == 0)) && user="user nobody nogroup;"
    mkdir -p "$GATEWAY_DIR/temp"
    text=$(<"$HERE/gateway/nginx.conf")
    text=${text//@USER@/"$user"}
    text=${text//@PREFIX@/"$GATEWAY_DIR"}
    text=${text//@GATEWAY_PORT@/"$GATEWAY_PORT"}
    text=${text//@ACCOUNTS_PORT@/"$ACCOUNTS_PORT"}
    text=${text//@FEEDBACK_PORT@/"$FEEDBACK_PORT"}
    text=${text//@PAYMENTS_PORT@/"$PAYMENTS_PORT"}
    text=${text//@NOTIFICATIONS_PORT@/"$NOTIFICATIONS_PORT"}
    # Logins: a second's worth, with room for a person's typing errors;
    # accounts also slows down and locks each account. Reset links: one in
    # ten seconds; accounts also limits them per address and per account.
    text=${text//@LOGIN_RATE@/1r/s}
    text=${text//@LOGIN_BURST@/20}
    text=${text//@LOGIN_RETRY_AFTER@/1}
    text=${text//@RESET_RATE@/6r/m}
    text=${text//@RESET_BURST@/5}
    text=${text//@RESET_RETRY_AFTER@/10}
    printf '%s\n' "$text" >"$GATEWAY_DIR/nginx.conf"
    "$NGINX" -t -q -p "$GATEWAY_DIR" -c "$GATEWAY_DIR/nginx.conf" -e stderr \
        || die "gateway: nginx refuses $GATEWAY_DIR/nginx.conf (see above)"
}

ports_free() {
    local port
    for port in "$GATEWAY_PORT" "$ACCOUNTS_PORT" "$FEEDBACK_PORT" "$PAYMENTS_PORT" \
        "$NOTIFICATIONS_PORT" "$SMTP_PORT" "$MAILCATCHER_HTTP_PORT"; do
        ! port_open "$port" \
            || die "run: 127.0.0.1:$port is taken; is the system running already? (deploy/local/run.sh status; stop it with deploy/local/run.sh stop)"
    done
}

prepare() {
    need_python
    need_nginx
    ports_free
    bash "$STACK" up
    stack_addresses
    [[ $DATABASE_URL == "postgresql://kisalli:kisalli@127.0.0.1:"* ]] || create_databases
    write_keys
    write_env
    render_gateway
    mkdir -p "$RUN"
}

# --------------------------------------------------------------- running

honcho_command() {
    HONCHO=("$VENV/bin/honcho" start -f "$HERE/Procfile" -d "$REPO" -e "$ENV_FILE")
}

# Every service ready on its own port and through the gateway, and the
# mail catcher answering. Gives up when $1 (honcho's pid) exits.
wait_ready() {
    local pid=$1 deadline=$((SECONDS + READY_TIMEOUT)) waiting
    while ((SECONDS < deadline)); do
        alive "$pid" || { say "run: a process exited while starting" >&2; return 1; }
        waiting=$(not_ready)
        [[ -z $waiting ]] && return 0
        sleep 0.5
    done
    say "run: not ready after ${READY_TIMEOUT}s: $waiting" >&2
    return 1
}

# Names what does not answer yet; nothing when all is ready. The gateway
# is asked only once the services answer, so that starting fills no log
# with refused connections.
not_ready() {
    local service port missing=()
    for service in "${SERVICES[@]}"; do
        port=${service^^}_PORT
        [[ $(http_status "${!port}" /readyz) == 200 ]] || missing+=("$service")
    done
    [[ $(http_status "$MAILCATCHER_HTTP_PORT" /messages) == 200 ]] || missing+=(mail)
    [[ $(http_status "$GATEWAY_PORT" /healthz) == 200 ]] || missing+=(gateway)
    if ((${#missing[@]} == 0)); then
        for service in "${SERVICES[@]}"; do
            [[ $(http_status "$GATEWAY_PORT" "/api/$service/readyz") == 200 ]] \
                || missing+=("gateway→$service")
        done
    fi
    printf '%s' "${missing[*]}"
}

banner() {
    local service
    cat <<EOF

Kisälli is running.

  gateway        $GATEWAY
EOF
    for service in "${SERVICES[@]}"; do
        printf '  %-14s %s/api/%s/docs (OpenAPI: /api/%s/openapi.json)\n' \
            "$service" "$GATEWAY" "$service" "$service"
    done
    cat <<EOF
  caught mail    $MAIL_API/messages (?full=1 for bodies; one: /messages/<id>)

The first office staff account (its activation link arrives in the caught mail):

  DATABASE_NAME=kisalli_accounts uv run --env-file ${ENV_FILE#"$REPO/"} \\
    python -m kisalli_accounts create-office-staff --office-id toimisto-1 \\
    --username matti.meikalainen --email matti@toimisto.example --name "Matti Meikäläinen"

EOF
}

cmd_foreground() {
    prepare
    cd "$REPO"
    honcho_command
    export PATH=$VENV/bin:$PATH
    "${HONCHO[@]}" &
    local honcho=$! watcher rc=0 asked=0
    # Ctrl-C reaches honcho from the terminal too; a TERM sent to this
    # script is passed on.
    trap 'asked=1; kill -TERM "$honcho" 2>/dev/null || true' INT TERM
    { wait_ready "$honcho" && banner && say "Ctrl-C stops everything."; } &
    watcher=$!
    while alive "$honcho"; do
        wait "$honcho" || rc=$?
    done
    kill "$watcher" 2>/dev/null || true
    wait "$watcher" 2>/dev/null || true
    trap - INT TERM
    bash "$STACK" down
    # A stop that was asked for is no failure; a process that died is.
    ((asked)) && rc=0
    return "$rc"
}

honcho_pid() {
    local pid
    [[ -f $RUN/honcho.pid ]] || return 1
    pid=$(<"$RUN/honcho.pid")
    [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "-f $HERE/Procfile" \
        || return 1
    echo "$pid"
}

take_lock() {
    mkdir -p "$RUN"
    exec 9>"$RUN/.lock"
    flock -w 300 9 || die "run: another run.sh has held $RUN/.lock for 300 s"
}

cmd_start() {
    take_lock
    local pid
    if pid=$(honcho_pid); then
        say "run: already running in the background (honcho pid $pid)"
        wait_ready "$pid" || die "run: see $RUN/system.log"
        return
    fi
    prepare
    cd "$REPO"
    honcho_command
    [[ -f $RUN/system.log ]] && mv -f "$RUN/system.log" "$RUN/system.log.1"
    rm -f "$RUN/honcho.pid"
    # shellcheck disable=SC2016 # expanded by the inner shell
    PATH=$VENV/bin:$PATH nohup setsid bash -c 'echo $$ >"$0"; exec "$@"' \
        "$RUN/honcho.pid" "${HONCHO[@]}" --no-colour \
        >"$RUN/system.log" 2>&1 </dev/null 9>&- &
    local deadline=$((SECONDS + 10))
    until pid=$(honcho_pid); do
        ((SECONDS < deadline)) || die "run: honcho did not start; see $RUN/system.log"
        sleep 0.1
    done
    if ! wait_ready "$pid"; then
        tail -n 40 "$RUN/system.log" >&2
        stop_honcho "$pid"
        die "run: the system did not become ready; see $RUN/system.log"
    fi
    banner
    say "Logs: $RUN/system.log. Stop with: deploy/local/run.sh stop"
}

stop_honcho() {
    local pid=$1 deadline=$((SECONDS + STOP_TIMEOUT))
    kill -TERM "$pid" 2>/dev/null || true
    while alive "$pid"; do
        ((SECONDS < deadline)) || die "run: honcho (pid $pid) did not stop in ${STOP_TIMEOUT}s"
        sleep 0.2
    done
}

cmd_stop() {
    take_lock
    local pid
    if ! pid=$(honcho_pid); then
        rm -f "$RUN/honcho.pid"
        say "run: not running in the background"
        return
    fi
    say "run: stopping the services, the gateway and the mail catcher (honcho pid $pid)"
    stop_honcho "$pid"
    rm -f "$RUN/honcho.pid"
    say "run: stopped; Kafka and PostgreSQL still run (make stack-down stops them)"
}

cmd_status() {
    local service port pid healthy=0
    if pid=$(honcho_pid); then
        say "background: honcho pid $pid, logs in $RUN/system.log"
    fi
    for service in "${SERVICES[@]}"; do
        port=${service^^}_PORT
        printf '%-14s :%s /readyz %s, through the gateway %s\n' "$service" "${!port}" \
            "$(http_status "${!port}" /readyz || true)" \
            "$(http_status "$GATEWAY_PORT" "/api/$service/readyz")"
    done
    printf '%-14s :%s /healthz %s\n' gateway "$GATEWAY_PORT" \
        "$(http_status "$GATEWAY_PORT" /healthz)"
    printf '%-14s :%s /messages %s\n' mail "$MAILCATCHER_HTTP_PORT" \
        "$(http_status "$MAILCATCHER_HTTP_PORT" /messages)"
    [[ -z $(not_ready) ]] || healthy=1
    bash "$STACK" status || healthy=1
    return $healthy
}

main() {
    local command=${1:-foreground}
    case $command in
        foreground) cmd_foreground ;;
        start) cmd_start ;;
        stop) cmd_stop ;;
        status) cmd_status ;;
        prepare) take_lock; prepare ;;
        env) echo "$ENV_FILE" ;;
        install) need_nginx; say "gateway: $NGINX" ;;
        -h | --help | help) usage ;;
        *) usage >&2; exit 2 ;;
    esac
}

main "$@"
