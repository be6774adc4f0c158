#!/usr/bin/env bash
# Local development / CI infrastructure without Docker:
#   - Apache Kafka (KRaft, single node broker+controller) run from jars fetched from Maven Central
#   - a project-local PostgreSQL cluster run from the distribution's server binaries
#   - an OpenID Connect / OAuth2 identity provider: NAV's mock-oauth2-server, run from jars fetched from Maven
#     Central, configured by deploy/local/idp.json (issuers `nir` for caseworkers, `maskinporten` for systems)
#
# Usage: deploy/local/infra.sh up [COMPONENT...] | down [--purge] [COMPONENT...] | status | env [--export] | help
#        COMPONENT is kafka, postgres or idp (default: all three)
# Run `deploy/local/infra.sh help` for the environment variables it honours.
set -euo pipefail

# ----------------------------------------------------------------------------------------------------
# Configuration
# ----------------------------------------------------------------------------------------------------
readonly KAFKA_VERSION=4.1.2
readonly SCALA_VERSION=2.13
# Kafka 4.1.2 itself depends on log4j-api/log4j-core 2.25.3 (via kafka-server); the slf4j 1.x binding must match.
readonly LOG4J_VERSION=2.25.3
readonly DEPENDENCY_PLUGIN_VERSION=3.8.1

readonly CACHE_ROOT="${NIR_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/nir-avslutning}"
readonly KAFKA_CACHE="$CACHE_ROOT/kafka-$KAFKA_VERSION"
readonly KAFKA_LIBS="$KAFKA_CACHE/libs"
readonly KAFKA_MARKER="$KAFKA_CACHE/.complete"

readonly STATE_DIR="${NIR_STATE_DIR:-/var/tmp/nir-avslutning}"
readonly STATE_MARKER="$STATE_DIR/.nir-infra-state"
readonly ENV_FILE="$STATE_DIR/infra.env"

readonly KAFKA_PORT="${NIR_KAFKA_PORT:-19092}"
readonly KAFKA_CONTROLLER_PORT="${NIR_KAFKA_CONTROLLER_PORT:-19093}"
readonly KAFKA_HEAP_OPTS="${NIR_KAFKA_HEAP_OPTS:--Xms512m -Xmx512m}"
readonly KAFKA_START_TIMEOUT="${NIR_KAFKA_START_TIMEOUT:-90}"
readonly KAFKA_DIR="$STATE_DIR/kafka"
readonly KAFKA_DATA="$KAFKA_DIR/data"
readonly KAFKA_LOGS="$KAFKA_DIR/logs"
readonly KAFKA_PID_FILE="$KAFKA_DIR/kafka.pid"
readonly KAFKA_PROPS="$KAFKA_DIR/server.properties"
readonly KAFKA_LOG4J="$KAFKA_DIR/log4j2.properties"
readonly KAFKA_TOOLS_LOG4J="$KAFKA_DIR/log4j2-tools.properties"
readonly KAFKA_CLUSTER_ID_FILE="$KAFKA_DIR/cluster.id"

readonly PG_PORT="${NIR_PG_PORT:-15432}"
readonly PG_DIR="$STATE_DIR/postgres"
readonly PG_DATA="$PG_DIR/data"
readonly PG_SOCKET_DIR="$PG_DIR/run"
readonly PG_LOG="$PG_DIR/log/postgres.log"
readonly PG_DB_USER=nir
readonly PG_DB_PASSWORD=nir
readonly PG_DB_NAME=nir

# NAV's mock-oauth2-server (Java 17). Its standalone server logs through logback, a dependency its POM leaves
# out (runtime-only in its own build): the version that build uses is added here, as log4j is for Kafka.
readonly IDP_VERSION=6.0.2
readonly IDP_LOGBACK_VERSION=1.6.0
readonly IDP_MAIN=no.nav.security.mock.oauth2.StandaloneMockOAuth2ServerKt
readonly IDP_CACHE="$CACHE_ROOT/mock-oauth2-server-$IDP_VERSION"
readonly IDP_LIBS="$IDP_CACHE/libs"
readonly IDP_MARKER="$IDP_CACHE/.complete"
readonly IDP_PORT="${NIR_IDP_PORT:-18080}"
readonly IDP_HEAP_OPTS="${NIR_IDP_HEAP_OPTS:--Xms64m -Xmx256m}"
readonly IDP_START_TIMEOUT="${NIR_IDP_START_TIMEOUT:-60}"
readonly IDP_CONFIG_SOURCE="${NIR_IDP_CONFIG:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/idp.json}"
readonly IDP_DIR="$STATE_DIR/idp"
readonly IDP_PID_FILE="$IDP_DIR/idp.pid"
readonly IDP_CONFIG="$IDP_DIR/idp.json" # the copy the running server was started with
readonly IDP_LOG="$IDP_DIR/idp.log"

readonly LOCAL_KAFKA_BOOTSTRAP="127.0.0.1:$KAFKA_PORT"
readonly LOCAL_DATABASE_URL="postgresql://$PG_DB_USER:$PG_DB_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB_NAME"
readonly LOCAL_IDP_URL="http://127.0.0.1:$IDP_PORT"

# ----------------------------------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------------------------------
# Progress goes to stderr, so that stdout of `up` and `env` carries only KEY=VALUE lines.
log() { printf '[infra] %s\n' "$*" >&2; }
die() {
    printf '[infra] ERROR: %s\n' "$*" >&2
    exit 1
}

is_root() { [[ $(id -u) -eq 0 ]]; }

validate_port() { # name value
    if [[ ! $2 =~ ^[0-9]+$ ]] || ((10#$2 < 1 || 10#$2 > 65535)); then
        die "$1='$2' is not a valid TCP port number"
    fi
}

# True when something accepts TCP connections on host:port (bash /dev/tcp, bounded by `timeout`).
port_open() { # host port
    # shellcheck disable=SC2016 # expanded by the inner bash
    timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

# Best-effort description of who listens on a local port (process names need root).
port_owner() { # port
    command -v ss >/dev/null 2>&1 || return 0
    local line
    line=$(ss -Hltnp "sport = :$1" 2>/dev/null | head -n 1) || true
    [[ -n $line ]] && printf ' (listener: %s)' "$(tr -s ' ' <<<"$line")"
    return 0
}

pid_alive() { [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null; }

# True when pid $1 is a process whose command line contains $2 (guards against pid reuse).
pid_matches() { # pid pattern
    pid_alive "$1" || return 1
    [[ -r /proc/$1/cmdline ]] || return 0 # no procfs: trust the pid
    local cmd
    cmd=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) || return 1
    [[ $cmd == *"$2"* ]]
}

# Starts a command in DIR detached from this shell (its own session when setsid exists, fd 9 — the lock —
# closed), output appended to LOG; sets LAUNCHED_PID. The subshell is not a process group leader, so setsid
# does not fork and $! is the command's pid.
LAUNCHED_PID=""
start_detached() { # dir log command...
    local dir=$1 logfile=$2
    shift 2
    local -a detach=(nohup)
    command -v setsid >/dev/null 2>&1 && detach=(setsid nohup)
    (cd "$dir" && exec "${detach[@]}" "$@" </dev/null >>"$logfile" 2>&1 9>&-) &
    LAUNCHED_PID=$!
}

# Stops a process this script started: SIGTERM, then SIGKILL after GRACE seconds; waits until it is gone.
stop_pid() { # label pid grace_seconds
    local label=$1 pid=$2 grace=$3 t0
    log "$label: stopping pid $pid (SIGTERM, up to $grace s) ..."
    t0=$(now_ms)
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + grace))
    while pid_alive "$pid" && ((SECONDS < deadline)); do sleep 0.25; done
    if pid_alive "$pid"; then
        log "$label: still running after $grace s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        while pid_alive "$pid"; do sleep 0.1; done
    fi
    log "$label: stopped in $(elapsed "$t0")"
}

now_ms() { date +%s%3N; }
elapsed() { # start_ms
    local d=$(($(now_ms) - $1))
    printf '%d.%01ds' $((d / 1000)) $((d % 1000 / 100))
}

file_size() { stat -c %s "$1" 2>/dev/null || echo 0; }

# Last lines of a log, optionally only of what was written after byte offset $3 (this run's part).
show_tail() { # file [lines] [from_byte]
    local f=$1 n=${2:-40} from=${3:-0} text=""
    [[ -f $f ]] && text=$(tail -c +$((from + 1)) "$f" | tail -n "$n" | sed 's/\x1b\[[0-9;]*m//g')
    if [[ -n $text ]]; then
        printf '[infra] ---- last %s lines of %s ----\n%s\n[infra] ---- end of %s ----\n' "$n" "$f" "$text" "$f" >&2
    else
        printf '[infra] (%s: nothing logged)\n' "$f" >&2
    fi
}

ensure_state_dir() {
    if [[ -d $STATE_DIR && ! -e $STATE_MARKER && -n $(ls -A "$STATE_DIR" 2>/dev/null) ]]; then
        die "NIR_STATE_DIR=$STATE_DIR exists, is not empty and was not created by this script; pick another NIR_STATE_DIR"
    fi
    mkdir -p "$STATE_DIR"
    # Readable/traversable by the PostgreSQL service user when running as root with a restrictive umask.
    chmod 0755 "$STATE_DIR"
    : >"$STATE_MARKER"
}

# Serialise concurrent runs of this script on the same state dir (when flock(1) is available).
# Children that outlive the script (java, postgres) are started with fd 9 closed.
take_lock() {
    command -v flock >/dev/null 2>&1 || return 0
    exec 9>"$STATE_DIR/.lock"
    if ! flock -w 300 9; then
        die "another '$0' run holds $STATE_DIR/.lock for more than 300 s"
    fi
}

# ----------------------------------------------------------------------------------------------------
# Kafka
# ----------------------------------------------------------------------------------------------------
JAVA_BIN=""
find_java() {
    if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then
        JAVA_BIN="$JAVA_HOME/bin/java"
    elif command -v java >/dev/null 2>&1; then
        JAVA_BIN=$(command -v java)
    else
        die "no 'java' found (Kafka $KAFKA_VERSION needs Java 17 or newer). Install it, e.g. 'apt-get install -y openjdk-17-jre-headless', or set JAVA_HOME"
    fi
    local spec
    spec=$("$JAVA_BIN" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n 1)
    [[ $spec =~ ^[0-9]+$ ]] || spec=$("$JAVA_BIN" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
    if [[ ! $spec =~ ^[0-9]+$ ]] || ((spec < 17)); then
        die "$JAVA_BIN is Java '${spec:-unknown}', but Kafka $KAFKA_VERSION needs Java 17 or newer; install a newer JDK/JRE or point JAVA_HOME at one"
    fi
}

# True when a fetch completed (its marker is written last) and left the jars named.
jars_cached() { # marker libs jar...
    local marker=$1 libs=$2 jar
    shift 2
    [[ -f $marker ]] || return 1
    for jar in "$@"; do [[ -f $libs/$jar ]] || return 1; done
}

kafka_jars_cached() {
    jars_cached "$KAFKA_MARKER" "$KAFKA_LIBS" "kafka_$SCALA_VERSION-$KAFKA_VERSION.jar" "log4j-slf4j-impl-$LOG4J_VERSION.jar"
}

require_mvn() { # what libs
    command -v mvn >/dev/null 2>&1 ||
        die "no 'mvn' found: Maven is needed once to fetch $1 from Maven Central. Install it ('apt-get install -y maven') or pre-fill $2"
}

# Fetches runtime jars from Maven Central into CACHE/libs, once: a small generated pom names the <dependency>
# elements and Maven's dependency plugin copies them with their runtime dependencies. The marker is written
# last, so a fetch interrupted before it is redone on the next run.
maven_fetch() { # label cache dependencies_xml required_jar...
    local label=$1 cache=$2 deps=$3
    shift 3
    local libs="$cache/libs" marker="$cache/.complete"
    if jars_cached "$marker" "$libs" "$@"; then
        log "$label jars: cached in $libs ($(find "$libs" -name '*.jar' | wc -l) jars)"
        return 0
    fi
    require_mvn "$label" "$libs"
    log "$label jars: fetching from Maven Central into $libs (once) ..."
    local t0 tmp pom coordinates jar
    t0=$(now_ms)
    coordinates=$(sed -n 's#.*<groupId>\([^<]*\)</groupId><artifactId>\([^<]*\)</artifactId><version>\([^<]*\)</version>.*#\1:\2:\3#p' <<<"$deps" | paste -sd ' ')
    mkdir -p "$cache"
    rm -f "$marker"
    # Leftovers of fetches that were killed long ago.
    find "$cache" -mindepth 1 -maxdepth 1 -name 'fetch.*' -mmin +60 -exec rm -rf {} + 2>/dev/null || true
    tmp=$(mktemp -d "$cache/fetch.XXXXXX")
    pom="$tmp/pom.xml"
    cat >"$pom" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by deploy/local/infra.sh: only used to fetch the runtime jars of $label. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.nir-avslutning</groupId>
  <artifactId>$(basename "$cache")-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
$deps
  </dependencies>
</project>
EOF
    # Fully qualified goal (= dependency:copy-dependencies) so no plugin-prefix lookup is needed.
    if ! (cd "$tmp" && mvn -q -B -Dstyle.color=never -f "$pom" \
        "org.apache.maven.plugins:maven-dependency-plugin:$DEPENDENCY_PLUGIN_VERSION:copy-dependencies" \
        -DincludeScope=runtime -DoutputDirectory="$tmp/libs" >"$tmp/mvn.log" 2>&1 9>&-); then
        show_tail "$tmp/mvn.log" 40
        rm -rf "$tmp"
        die "Maven could not fetch $coordinates from Maven Central; check the network / Maven settings (~/.m2/settings.xml, proxies) and re-run"
    fi
    for jar in "$@"; do
        if [[ ! -f $tmp/libs/$jar ]]; then
            rm -rf "$tmp"
            die "Maven finished but $jar is missing from its output; re-run to retry the fetch"
        fi
    done
    rm -rf "$libs"
    mv "$tmp/libs" "$libs"
    mv "$pom" "$cache/pom.xml"
    rm -rf "$tmp"
    {
        echo "$coordinates, fetched $(date -u +%Y-%m-%dT%H:%M:%SZ)"
        (cd "$libs" && ls -1 -- *.jar)
    } >"$marker.tmp"
    mv "$marker.tmp" "$marker"
    log "$label jars: fetched $(find "$libs" -name '*.jar' | wc -l) jars in $(elapsed "$t0")"
}

kafka_fetch() {
    # Kafka 4.x uses slf4j-api 1.7.x, so the slf4j 1.x binding (not log4j-slf4j2-impl) is the one that works.
    maven_fetch "Kafka $KAFKA_VERSION" "$KAFKA_CACHE" "\
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_$SCALA_VERSION</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-api</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>$LOG4J_VERSION</version></dependency>" \
        "kafka_$SCALA_VERSION-$KAFKA_VERSION.jar" "log4j-slf4j-impl-$LOG4J_VERSION.jar"
}

kafka_pid() {
    local pid=""
    [[ -f $KAFKA_PID_FILE ]] && pid=$(<"$KAFKA_PID_FILE")
    if [[ -n $pid ]] && pid_matches "$pid" "kafka.Kafka $KAFKA_PROPS"; then
        echo "$pid"
    fi
}

kafka_running_port() { # port recorded when the running broker was started
    if [[ -f $KAFKA_DIR/kafka.port ]]; then cat "$KAFKA_DIR/kafka.port"; fi
}

kafka_write_config() {
    mkdir -p "$KAFKA_DATA" "$KAFKA_LOGS"
    cat >"$KAFKA_PROPS" <<EOF
# Generated by deploy/local/infra.sh (rewritten on every start): single node KRaft broker+controller.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KAFKA_DATA
num.partitions=3
auto.create.topics.enable=true
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
    cat >"$KAFKA_LOG4J" <<'EOF'
# Generated by deploy/local/infra.sh: broker logs (INFO) to ${kafka.logs.dir}/server.log, size-capped.
status = warn
name = nir-kafka
# No JVM shutdown hook: avoids "Unable to register Log4j shutdown hook" noise; the file appender flushes per line.
shutdownHook = disable
appender.server.type = RollingFile
appender.server.name = SERVER
appender.server.fileName = ${sys:kafka.logs.dir}/server.log
appender.server.filePattern = ${sys:kafka.logs.dir}/server.log.%i
appender.server.layout.type = PatternLayout
appender.server.layout.pattern = [%d] %p %m (%c)%n
appender.server.policies.type = Policies
appender.server.policies.size.type = SizeBasedTriggeringPolicy
appender.server.policies.size.size = 50MB
appender.server.strategy.type = DefaultRolloverStrategy
appender.server.strategy.max = 3
rootLogger.level = INFO
rootLogger.appenderRef.server.ref = SERVER
# Same quiet-downs as Kafka's own config/log4j2.yaml
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.requestchannel.name = kafka.network.RequestChannel$
logger.requestchannel.level = WARN
EOF
    cat >"$KAFKA_TOOLS_LOG4J" <<'EOF'
# Generated by deploy/local/infra.sh: Kafka command line tools log warnings to stderr.
status = warn
name = nir-kafka-tools
appender.stderr.type = Console
appender.stderr.name = STDERR
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.stderr.ref = STDERR
EOF
}

kafka_tool() { # StorageTool arguments...
    "$JAVA_BIN" -Xmx256m -Dlog4j2.configurationFile="$KAFKA_TOOLS_LOG4J" -cp "$KAFKA_LIBS/*" kafka.tools.StorageTool "$@" 9>&-
}

kafka_format_if_needed() {
    if [[ -f $KAFKA_DATA/meta.properties ]]; then
        return 0
    fi
    local cid out
    if [[ -s $KAFKA_CLUSTER_ID_FILE ]]; then
        cid=$(<"$KAFKA_CLUSTER_ID_FILE")
    else
        cid=$(kafka_tool random-uuid 2>"$KAFKA_LOGS/format.err" | tail -n 1) || true
        [[ $cid =~ ^[A-Za-z0-9_-]{22}$ ]] || {
            show_tail "$KAFKA_LOGS/format.err" 40
            die "kafka.tools.StorageTool random-uuid failed (got '$cid')"
        }
        echo "$cid" >"$KAFKA_CLUSTER_ID_FILE"
    fi
    # A data dir without meta.properties is a half-done format: start it over.
    rm -rf "$KAFKA_DATA"
    mkdir -p "$KAFKA_DATA"
    log "Kafka: formatting storage in $KAFKA_DATA (cluster id $cid)"
    if ! out=$(kafka_tool format --standalone -t "$cid" -c "$KAFKA_PROPS" 2>&1); then
        printf '%s\n' "$out" >&2
        die "kafka.tools.StorageTool format failed (see above)"
    fi
}

KAFKA_STATE="" # tostart | reused | started | external
KAFKA_T0=0
KAFKA_LOG_OFFSET=0 # sizes of the logs before this start: failure output shows only this run's lines
KAFKA_OUT_OFFSET=0
KAFKA_PID_STARTED=""

# Decides what to do about Kafka (external / reuse / start) and checks what starting needs; starts nothing.
kafka_preflight() {
    if [[ -n ${KAFKA_BOOTSTRAP_SERVERS:-} ]]; then
        KAFKA_STATE=external
        log "Kafka: KAFKA_BOOTSTRAP_SERVERS is set; using $KAFKA_BOOTSTRAP_SERVERS and not starting a broker"
        kafka_check_external
        return 0
    fi
    validate_port NIR_KAFKA_PORT "$KAFKA_PORT"
    validate_port NIR_KAFKA_CONTROLLER_PORT "$KAFKA_CONTROLLER_PORT"
    [[ $KAFKA_PORT != "$KAFKA_CONTROLLER_PORT" ]] || die "NIR_KAFKA_PORT and NIR_KAFKA_CONTROLLER_PORT are both $KAFKA_PORT; they must differ"
    mkdir -p "$KAFKA_DIR"

    local pid
    pid=$(kafka_pid)
    if [[ -n $pid ]]; then
        local running_port
        running_port=$(kafka_running_port)
        if [[ -n $running_port && $running_port != "$KAFKA_PORT" ]]; then
            die "Kafka from $KAFKA_DIR already runs (pid $pid) on port $running_port, not $KAFKA_PORT; run '$0 down' first or set NIR_KAFKA_PORT=$running_port"
        fi
        KAFKA_STATE=reused
        KAFKA_PID_STARTED=$pid
        log "Kafka: already running (pid $pid) on 127.0.0.1:$KAFKA_PORT; reusing it"
        return 0
    fi
    rm -f "$KAFKA_PID_FILE"

    local p name
    for p in "$KAFKA_PORT:NIR_KAFKA_PORT" "$KAFKA_CONTROLLER_PORT:NIR_KAFKA_CONTROLLER_PORT"; do
        name=${p#*:}
        p=${p%%:*}
        if port_open 127.0.0.1 "$p"; then
            die "port $p (127.0.0.1) is already in use by something else$(port_owner "$p"), so Kafka cannot listen there; stop that, or pick another port with $name=<port> (or use an existing broker with KAFKA_BOOTSTRAP_SERVERS=host:port)"
        fi
    done

    find_java
    kafka_jars_cached || require_mvn "Kafka $KAFKA_VERSION" "$KAFKA_LIBS"
    KAFKA_STATE=tostart
}

# Starts the broker in the background when preflight said so. Returns without waiting; see kafka_wait.
kafka_launch() {
    [[ $KAFKA_STATE == tostart ]] || return 0
    kafka_fetch
    kafka_write_config
    kafka_format_if_needed

    log "Kafka: starting broker $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT (controller $KAFKA_CONTROLLER_PORT), log $KAFKA_LOGS/server.log"
    local pid
    local -a jcmd=("$JAVA_BIN")
    # shellcheck disable=SC2206 # heap options are a word list on purpose
    jcmd+=($KAFKA_HEAP_OPTS)
    jcmd+=(-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
        -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true
        "-Dkafka.logs.dir=$KAFKA_LOGS" "-Dlog4j2.configurationFile=$KAFKA_LOG4J"
        -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_PROPS")
    KAFKA_LOG_OFFSET=$(file_size "$KAFKA_LOGS/server.log")
    KAFKA_OUT_OFFSET=$(file_size "$KAFKA_LOGS/kafka.out")
    start_detached "$KAFKA_DIR" "$KAFKA_LOGS/kafka.out" "${jcmd[@]}"
    pid=$LAUNCHED_PID
    echo "$pid" >"$KAFKA_PID_FILE"
    echo "$KAFKA_PORT" >"$KAFKA_DIR/kafka.port"
    KAFKA_STATE=started
    KAFKA_PID_STARTED=$pid
    KAFKA_T0=$(now_ms)
}

kafka_wait() {
    case $KAFKA_STATE in
    external) return 0 ;;
    reused)
        # A broker we found may still be starting up; give it the same grace period.
        ;;
    esac
    local pid=$KAFKA_PID_STARTED deadline=$((SECONDS + KAFKA_START_TIMEOUT))
    while ! port_open 127.0.0.1 "$KAFKA_PORT"; do
        if ! pid_alive "$pid"; then
            show_tail "$KAFKA_LOGS/server.log" 40 "$KAFKA_LOG_OFFSET"
            show_tail "$KAFKA_LOGS/kafka.out" 20 "$KAFKA_OUT_OFFSET"
            rm -f "$KAFKA_PID_FILE"
            die "Kafka exited during startup (pid $pid); see $KAFKA_LOGS/server.log and $KAFKA_LOGS/kafka.out"
        fi
        if ((SECONDS >= deadline)); then
            show_tail "$KAFKA_LOGS/server.log" 40 "$KAFKA_LOG_OFFSET"
            die "Kafka (pid $pid, still running) did not accept connections on 127.0.0.1:$KAFKA_PORT within ${KAFKA_START_TIMEOUT}s; see $KAFKA_LOGS/server.log (stop it with '$0 down')"
        fi
        sleep 0.25
    done
    if [[ $KAFKA_STATE == started ]]; then
        log "Kafka: ready on 127.0.0.1:$KAFKA_PORT (pid $pid) after $(elapsed "$KAFKA_T0")"
    fi
}

# host:port pairs from a bootstrap list such as "PLAINTEXT://a:9092,b:9093"
kafka_check_external() {
    local s hp ok=""
    local -a servers
    IFS=',' read -r -a servers <<<"$KAFKA_BOOTSTRAP_SERVERS"
    for s in "${servers[@]}"; do
        hp=${s##*://}
        hp=${hp// /}
        [[ $hp =~ ^\[?([^]]+)\]?:([0-9]+)$ ]] || continue
        if port_open "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"; then
            ok=$hp
            break
        fi
    done
    [[ -n $ok ]] || die "KAFKA_BOOTSTRAP_SERVERS=$KAFKA_BOOTSTRAP_SERVERS: no server answers; start it, or unset KAFKA_BOOTSTRAP_SERVERS to let this script run a local broker"
    log "Kafka: external broker answers at $ok"
}

kafka_version_seen() {
    local v=""
    if [[ -f $KAFKA_LOGS/server.log ]]; then
        v=$(sed -n 's/.*Kafka version: \([^ ]*\).*/\1/p' "$KAFKA_LOGS/server.log" | tail -n 1)
    fi
    echo "${v:-$KAFKA_VERSION}"
}

kafka_stop() {
    local pid
    pid=$(kafka_pid)
    if [[ -z $pid ]]; then
        if [[ -f $KAFKA_PID_FILE ]]; then
            log "Kafka: not running (removing stale pid file)"
        else
            log "Kafka: not running"
        fi
        rm -f "$KAFKA_PID_FILE" "$KAFKA_DIR/kafka.port"
        return 0
    fi
    stop_pid Kafka "$pid" 30
    rm -f "$KAFKA_PID_FILE" "$KAFKA_DIR/kafka.port"
}

# ----------------------------------------------------------------------------------------------------
# PostgreSQL
# ----------------------------------------------------------------------------------------------------
PG_BIN=""
PG_RUN_USER=""

find_pg_bin() {
    local d
    if [[ -n ${NIR_PG_BINDIR:-} ]]; then
        [[ -x $NIR_PG_BINDIR/pg_ctl ]] || die "NIR_PG_BINDIR=$NIR_PG_BINDIR has no pg_ctl"
        PG_BIN=$NIR_PG_BINDIR
        return 0
    fi
    # Debian/Ubuntu layout: /usr/lib/postgresql/<major>/bin; take the highest major version.
    d=$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/pg_ctl' -perm -u+x 2>/dev/null | sort -V | tail -n 1)
    if [[ -z $d ]]; then
        d=$(find /usr -maxdepth 3 -path '/usr/pgsql-*/bin/pg_ctl' 2>/dev/null | sort -V | tail -n 1) # RPM layout
    fi
    if [[ -z $d ]] && command -v pg_ctl >/dev/null 2>&1; then
        d=$(command -v pg_ctl)
    fi
    [[ -n $d ]] || return 1
    PG_BIN=$(dirname "$d")
}

ensure_pg_bin() {
    find_pg_bin && return 0
    if ! is_root; then
        die "PostgreSQL server binaries (pg_ctl, initdb, postgres) not found. Install them as root, e.g. 'sudo apt-get install -y postgresql', or set NIR_PG_BINDIR, or set DATABASE_URL to use an existing server"
    fi
    command -v apt-get >/dev/null 2>&1 ||
        die "PostgreSQL server binaries not found and apt-get is not available; install PostgreSQL server (pg_ctl, initdb) or set NIR_PG_BINDIR / DATABASE_URL"
    log "PostgreSQL: server binaries not found; installing Debian package 'postgresql' (apt-get) ..."
    local t0 aptlog
    t0=$(now_ms)
    aptlog=$(mktemp)
    if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql; } >"$aptlog" 2>&1 9>&-; then
        show_tail "$aptlog" 40
        rm -f "$aptlog"
        die "apt-get install postgresql failed (see above)"
    fi
    rm -f "$aptlog"
    find_pg_bin || die "apt-get installed 'postgresql' but no pg_ctl was found under /usr/lib/postgresql/*/bin"
    log "PostgreSQL: installed server binaries in $PG_BIN in $(elapsed "$t0")"
}

# PostgreSQL refuses to run as root: pick the OS user that owns and runs the cluster.
choose_pg_user() {
    if ! is_root; then
        PG_RUN_USER=$(id -un)
        if [[ -d $PG_DATA && ! -O $PG_DATA ]]; then
            die "$PG_DATA belongs to $(stat -c %U "$PG_DATA"), not to you ($PG_RUN_USER); run as that user or root, or use another NIR_STATE_DIR"
        fi
        return 0
    fi
    local owner=""
    [[ -d $PG_DATA ]] && owner=$(stat -c %U "$PG_DATA")
    if [[ -n $owner && $owner != root && $owner != UNKNOWN ]] && id -u "$owner" >/dev/null 2>&1; then
        PG_RUN_USER=$owner
    elif id -u postgres >/dev/null 2>&1; then
        PG_RUN_USER=postgres
    else
        if ! id -u nir >/dev/null 2>&1; then
            log "PostgreSQL: creating system user 'nir' to run the server (it refuses to run as root)"
            useradd --system --user-group --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin nir ||
                die "could not create system user 'nir' (useradd failed)"
        fi
        PG_RUN_USER=nir
    fi
}

# Run a command as the cluster's OS user (from a directory that user can enter).
as_pg_user() {
    if [[ $PG_RUN_USER == "$(id -un)" ]]; then
        (cd "$PG_DIR" && "$@")
    elif command -v runuser >/dev/null 2>&1; then
        (cd "$PG_DIR" && runuser -u "$PG_RUN_USER" -- "$@")
    elif command -v setpriv >/dev/null 2>&1; then
        (cd "$PG_DIR" && setpriv --reuid="$PG_RUN_USER" --regid="$(id -g "$PG_RUN_USER")" --init-groups -- "$@")
    else
        (cd "$PG_DIR" && su -s /bin/sh "$PG_RUN_USER" -c "$(printf '%q ' "$@")")
    fi
}

pg_running_pid() { # pid of this cluster's postmaster, if it runs
    local pid=""
    [[ -f $PG_DATA/postmaster.pid ]] && pid=$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null || true)
    if [[ $pid =~ ^[0-9]+$ ]] && pid_matches "$pid" "$PG_DATA"; then
        echo "$pid"
    elif [[ $pid =~ ^[0-9]+$ ]] && pid_alive "$pid" && [[ ! -r /proc/$pid/cmdline ]]; then
        echo "$pid"
    fi
}

pg_running_port() {
    sed -n 4p "$PG_DATA/postmaster.pid" 2>/dev/null || true
}

pg_psql() { # psql as the project superuser over TCP; extra args follow
    PGPASSWORD=$PG_DB_PASSWORD PGCONNECT_TIMEOUT=5 "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$PG_PORT" -U "$PG_DB_USER" "$@"
}

PG_STATE="" # tostart | reused | started | external
PG_PID=""
PG_LOG_OFFSET=0
PG_VERSION_SEEN=""

# Decides what to do about PostgreSQL (external / reuse / start) and checks what starting needs.
pg_preflight() {
    if [[ -n ${DATABASE_URL:-} ]]; then
        PG_STATE=external
        log "PostgreSQL: DATABASE_URL is set; using it and not starting a server"
        pg_check_external
        return 0
    fi
    validate_port NIR_PG_PORT "$PG_PORT"
    if [[ -n ${KAFKA_STATE:-} && $KAFKA_STATE != external ]] && [[ $PG_PORT == "$KAFKA_PORT" || $PG_PORT == "$KAFKA_CONTROLLER_PORT" ]]; then
        die "NIR_PG_PORT=$PG_PORT collides with a Kafka port ($KAFKA_PORT/$KAFKA_CONTROLLER_PORT); pick another NIR_PG_PORT"
    fi
    local sock_len=$((${#PG_SOCKET_DIR} + 20))
    ((sock_len < 100)) || die "NIR_STATE_DIR=$STATE_DIR is too long for a unix socket path ($PG_SOCKET_DIR/.s.PGSQL.$PG_PORT); pick a shorter NIR_STATE_DIR"

    # Binaries first: installing them also creates the 'postgres' user that choose_pg_user prefers.
    ensure_pg_bin
    mkdir -p "$PG_DIR"
    choose_pg_user
    if ! as_pg_user test -x "$STATE_DIR" 2>/dev/null; then
        die "OS user $PG_RUN_USER (who runs PostgreSQL) cannot reach $STATE_DIR: a parent directory is closed to it; use an NIR_STATE_DIR it can reach (e.g. the default /var/tmp/nir-avslutning)"
    fi

    local pid
    pid=$(pg_running_pid)
    if [[ -n $pid ]]; then
        local running_port
        running_port=$(pg_running_port)
        if [[ -n $running_port && $running_port != "$PG_PORT" ]]; then
            die "PostgreSQL from $PG_DATA already runs (pid $pid) on port $running_port, not $PG_PORT; run '$0 down' first or set NIR_PG_PORT=$running_port"
        fi
        PG_STATE=reused
        PG_PID=$pid
        return 0
    fi
    if port_open 127.0.0.1 "$PG_PORT"; then
        die "port $PG_PORT (127.0.0.1) is already in use by something else$(port_owner "$PG_PORT"), so PostgreSQL cannot listen there; stop that, or pick another port with NIR_PG_PORT=<port> (or use an existing server with DATABASE_URL=postgresql://...)"
    fi
    PG_STATE=tostart
}

pg_wait_ready() { # pid
    local deadline=$((SECONDS + 60))
    until "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -U "$PG_DB_USER" -d postgres; do
        if ! pid_alive "$1"; then
            show_tail "$PG_LOG" 40 "$PG_LOG_OFFSET"
            die "PostgreSQL (pid $1) exited; see $PG_LOG"
        fi
        if ((SECONDS >= deadline)); then
            show_tail "$PG_LOG" 40 "$PG_LOG_OFFSET"
            die "PostgreSQL (pid $1) runs but pg_isready gets no answer on 127.0.0.1:$PG_PORT within 60 s; see $PG_LOG"
        fi
        sleep 0.25
    done
}

pg_start() {
    case $PG_STATE in
    external) return 0 ;;
    reused)
        pg_wait_ready "$PG_PID"
        log "PostgreSQL: already running (pid $PG_PID) on 127.0.0.1:$PG_PORT; reusing it"
        ;;
    tostart)
        mkdir -p "$PG_SOCKET_DIR" "$(dirname "$PG_LOG")"
        if is_root; then
            chown "$PG_RUN_USER:" "$PG_DIR" "$PG_SOCKET_DIR" "$(dirname "$PG_LOG")"
            if [[ -d $PG_DATA ]]; then chown -R "$PG_RUN_USER:" "$PG_DATA"; fi
        fi
        chmod 0700 "$PG_DIR"
        pg_initdb_if_needed
        log "PostgreSQL: starting $("$PG_BIN/postgres" --version | sed 's/^postgres (PostgreSQL) //') on 127.0.0.1:$PG_PORT as OS user $PG_RUN_USER, log $PG_LOG"
        local t0
        t0=$(now_ms)
        PG_LOG_OFFSET=$(file_size "$PG_LOG")
        if ! as_pg_user "$PG_BIN/pg_ctl" start -D "$PG_DATA" -l "$PG_LOG" -w -t 60 -s \
            -o "-c port=$PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories='$PG_SOCKET_DIR'" \
            </dev/null >/dev/null 2>"$PG_DIR/pg_ctl.err" 9>&-; then
            show_tail "$PG_DIR/pg_ctl.err" 20
            show_tail "$PG_LOG" 40 "$PG_LOG_OFFSET"
            die "PostgreSQL did not start (pg_ctl start failed); see $PG_LOG"
        fi
        rm -f "$PG_DIR/pg_ctl.err"
        PG_PID=$(pg_running_pid)
        pg_wait_ready "$PG_PID"
        PG_STATE=started
        log "PostgreSQL: ready on 127.0.0.1:$PG_PORT (pid $PG_PID) after $(elapsed "$t0")"
        ;;
    esac
    pg_ensure_role_and_db
    PG_VERSION_SEEN=$(pg_psql -d "$PG_DB_NAME" -At -c 'show server_version')
}

pg_initdb_if_needed() {
    [[ -f $PG_DATA/PG_VERSION ]] && return 0
    log "PostgreSQL: initdb of a project-local cluster in $PG_DATA"
    rm -rf "$PG_DATA" # a half-done initdb leaves no PG_VERSION; start over
    mkdir -p "$PG_DATA"
    is_root && chown "$PG_RUN_USER:" "$PG_DATA"
    chmod 0700 "$PG_DATA"
    local out pwfile
    pwfile="$PG_DIR/.initdb-pw"
    (umask 077 && echo "$PG_DB_PASSWORD" >"$pwfile")
    is_root && chown "$PG_RUN_USER:" "$pwfile"
    if ! out=$(as_pg_user "$PG_BIN/initdb" -D "$PG_DATA" -U "$PG_DB_USER" --pwfile="$pwfile" -E UTF8 --locale=C \
        --auth-local=trust --auth-host=trust 2>&1 9>&-); then
        rm -f "$pwfile"
        printf '%s\n' "$out" >&2
        die "initdb failed (see above)"
    fi
    rm -f "$pwfile"
    # Only the unix socket inside the state dir and 127.0.0.1 are reachable; trust both (local dev/test only).
    cat >"$PG_DATA/pg_hba.conf" <<'EOF'
# Generated by deploy/local/infra.sh: local development/test cluster.
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 trust
host    all       all   127.0.0.1/32  trust
EOF
    cat >>"$PG_DATA/postgresql.conf" <<'EOF'

# ---- deploy/local/infra.sh: small dev/test machine (durability stays on) ----
# port, listen_addresses and unix_socket_directories are given by pg_ctl -o on every start.
max_connections = 200
shared_buffers = 256MB
log_timezone = 'UTC'
timezone = 'UTC'
log_line_prefix = '%m [%p] %q%u@%d '
EOF
    is_root && chown "$PG_RUN_USER:" "$PG_DATA/pg_hba.conf" "$PG_DATA/postgresql.conf"
    return 0
}

pg_ensure_role_and_db() {
    local sql_role="DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_DB_USER') THEN
    CREATE ROLE $PG_DB_USER SUPERUSER LOGIN PASSWORD '$PG_DB_PASSWORD';
  ELSE
    ALTER ROLE $PG_DB_USER SUPERUSER LOGIN PASSWORD '$PG_DB_PASSWORD';
  END IF;
END \$\$;"
    local out
    if ! out=$(pg_psql -d postgres -c "$sql_role" 2>&1); then
        printf '%s\n' "$out" >&2
        die "could not create/update role '$PG_DB_USER' on 127.0.0.1:$PG_PORT"
    fi
    if [[ $(pg_psql -d postgres -At -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DB_NAME'") != 1 ]]; then
        log "PostgreSQL: creating database '$PG_DB_NAME'"
        pg_psql -d postgres -c "CREATE DATABASE $PG_DB_NAME OWNER $PG_DB_USER" >/dev/null ||
            die "could not create database '$PG_DB_NAME'"
    fi
}

pg_check_external() {
    local psql_bin=""
    find_pg_bin 2>/dev/null && psql_bin="$PG_BIN/psql"
    [[ -z $psql_bin ]] && command -v psql >/dev/null 2>&1 && psql_bin=$(command -v psql)
    if [[ -n $psql_bin ]]; then
        PG_VERSION_SEEN=$(PGCONNECT_TIMEOUT=5 "$psql_bin" -X -At -d "$DATABASE_URL" -c 'show server_version' 2>&1) ||
            die "DATABASE_URL does not answer: $PG_VERSION_SEEN (fix it, or unset DATABASE_URL to let this script run a local server)"
        log "PostgreSQL: external server answers (version $PG_VERSION_SEEN)"
        return 0
    fi
    # No psql: at least check that the TCP port answers.
    local re='^[a-z]+://([^@/]*@)?([^:/?]+)(:([0-9]+))?'
    if [[ $DATABASE_URL =~ $re ]]; then
        local host=${BASH_REMATCH[2]} port=${BASH_REMATCH[4]:-5432}
        port_open "$host" "$port" || die "DATABASE_URL: nothing answers on $host:$port"
        log "PostgreSQL: external server port $host:$port answers (no psql here to check more)"
    else
        log "PostgreSQL: DATABASE_URL has no host:port to check and there is no psql; not checked"
    fi
    PG_VERSION_SEEN="unknown (external)"
}

pg_stop() {
    if [[ ! -d $PG_DATA ]]; then
        log "PostgreSQL: not running (no cluster in $PG_DATA)"
        return 0
    fi
    local pid
    pid=$(pg_running_pid)
    if [[ -z $pid ]]; then
        log "PostgreSQL: not running"
        # A stale postmaster.pid is harmless (postgres checks it); it is removed here for tidiness.
        [[ -f $PG_DATA/postmaster.pid ]] && rm -f "$PG_DATA/postmaster.pid"
        return 0
    fi
    choose_pg_user
    find_pg_bin || die "PostgreSQL runs (pid $pid) but no pg_ctl was found to stop it; set NIR_PG_BINDIR"
    log "PostgreSQL: stopping pid $pid (pg_ctl stop -m fast) ..."
    local t0
    t0=$(now_ms)
    if ! as_pg_user "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w -t 60 -s 9>&-; then
        log "PostgreSQL: pg_ctl stop failed; sending SIGQUIT (immediate shutdown)"
        kill -QUIT "$pid" 2>/dev/null || true
        local deadline=$((SECONDS + 10))
        while pid_alive "$pid" && ((SECONDS < deadline)); do sleep 0.25; done
    fi
    log "PostgreSQL: stopped in $(elapsed "$t0")"
}

# ----------------------------------------------------------------------------------------------------
# Identity provider (NAV's mock-oauth2-server)
# ----------------------------------------------------------------------------------------------------
idp_jars_cached() {
    jars_cached "$IDP_MARKER" "$IDP_LIBS" "mock-oauth2-server-$IDP_VERSION.jar" "logback-classic-$IDP_LOGBACK_VERSION.jar"
}

idp_fetch() {
    maven_fetch "mock-oauth2-server $IDP_VERSION" "$IDP_CACHE" "\
    <dependency><groupId>no.nav.security</groupId><artifactId>mock-oauth2-server</artifactId><version>$IDP_VERSION</version></dependency>
    <dependency><groupId>ch.qos.logback</groupId><artifactId>logback-classic</artifactId><version>$IDP_LOGBACK_VERSION</version></dependency>" \
        "mock-oauth2-server-$IDP_VERSION.jar" "logback-classic-$IDP_LOGBACK_VERSION.jar"
}

# The issuer ids the configuration names, in its order (one a line).
idp_issuers() { # config
    python3 -c 'import json, sys; [print(c["issuerId"]) for c in json.load(open(sys.argv[1]))["tokenCallbacks"]]' "$1"
}

# Succeeds when the provider at BASE serves each issuer's discovery document (with that issuer) and a JWKS
# with a key, asking in the configuration's order. The server gives each issuer the next key of a fixed list
# when the issuer is first used, so asking in a fixed order right after the start gives every issuer the same
# key after each restart: tokens and JWKS that services hold stay valid across a restart.
idp_probe() { # base issuer...
    python3 - "$@" 2>/dev/null <<'EOF'
import json, sys, urllib.request
base, issuers = sys.argv[1].rstrip("/"), sys.argv[2:]
for issuer in issuers:
    with urllib.request.urlopen(f"{base}/{issuer}/.well-known/openid-configuration", timeout=3) as r:
        doc = json.load(r)
    assert doc["issuer"] == f"{base}/{issuer}", doc["issuer"]
    with urllib.request.urlopen(doc["jwks_uri"], timeout=3) as r:
        assert json.load(r)["keys"]
EOF
}

idp_pid() {
    local pid=""
    [[ -f $IDP_PID_FILE ]] && pid=$(<"$IDP_PID_FILE")
    if [[ -n $pid ]] && pid_matches "$pid" "-Dnir.idp.dir=$IDP_DIR "; then
        echo "$pid"
    fi
}

idp_running_port() {
    if [[ -f $IDP_DIR/idp.port ]]; then cat "$IDP_DIR/idp.port"; fi
}

IDP_STATE="" # tostart | reused | started | external
IDP_PID=""
IDP_T0=0
IDP_LOG_OFFSET=0
IDP_ISSUERS=()

idp_check_external() {
    idp_probe "$NIR_IDP_URL" nir ||
        die "NIR_IDP_URL=$NIR_IDP_URL: no discovery document answers at $NIR_IDP_URL/nir/.well-known/openid-configuration; start it, or unset NIR_IDP_URL to let this script run a local provider"
    log "identity provider: external provider answers at $NIR_IDP_URL"
}

# Decides what to do about the identity provider (external / reuse / start) and checks what starting needs.
idp_preflight() {
    if [[ -n ${NIR_IDP_URL:-} ]]; then
        IDP_STATE=external
        log "identity provider: NIR_IDP_URL is set; using $NIR_IDP_URL and not starting one"
        idp_check_external
        return 0
    fi
    validate_port NIR_IDP_PORT "$IDP_PORT"
    local p
    for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$PG_PORT"; do
        [[ $IDP_PORT != "$p" ]] || die "NIR_IDP_PORT=$IDP_PORT collides with a Kafka or PostgreSQL port; pick another NIR_IDP_PORT"
    done
    [[ -f $IDP_CONFIG_SOURCE ]] || die "no identity provider configuration at $IDP_CONFIG_SOURCE (NIR_IDP_CONFIG)"
    local out
    out=$(idp_issuers "$IDP_CONFIG_SOURCE" 2>&1) ||
        die "$IDP_CONFIG_SOURCE is not a mock-oauth2-server configuration with tokenCallbacks[].issuerId: $(tail -n 1 <<<"$out")"
    mapfile -t IDP_ISSUERS <<<"$out"
    mkdir -p "$IDP_DIR"

    local pid
    pid=$(idp_pid)
    if [[ -n $pid ]]; then
        local running_port
        running_port=$(idp_running_port)
        if [[ -n $running_port && $running_port != "$IDP_PORT" ]]; then
            die "the identity provider from $IDP_DIR already runs (pid $pid) on port $running_port, not $IDP_PORT; run '$0 down idp' first or set NIR_IDP_PORT=$running_port"
        fi
        IDP_STATE=reused
        IDP_PID=$pid
        log "identity provider: already running (pid $pid) on 127.0.0.1:$IDP_PORT; reusing it"
        if ! cmp -s "$IDP_CONFIG_SOURCE" "$IDP_CONFIG"; then
            log "identity provider: NOTE it runs with $IDP_CONFIG, which differs from $IDP_CONFIG_SOURCE; '$0 down idp && $0 up idp' restarts it with the latter"
        fi
        return 0
    fi
    rm -f "$IDP_PID_FILE"
    if port_open 127.0.0.1 "$IDP_PORT"; then
        die "port $IDP_PORT (127.0.0.1) is already in use by something else$(port_owner "$IDP_PORT"), so the identity provider cannot listen there; stop that, or pick another port with NIR_IDP_PORT=<port> (or use a running provider with NIR_IDP_URL=http://host:port)"
    fi
    find_java
    idp_jars_cached || require_mvn "mock-oauth2-server $IDP_VERSION" "$IDP_LIBS"
    IDP_STATE=tostart
}

# Starts the provider in the background when preflight said so. Returns without waiting; see idp_wait.
idp_launch() {
    [[ $IDP_STATE == tostart ]] || return 0
    idp_fetch
    # The server reads a copy: the configuration it runs with stays put whichever worktree started it.
    cp "$IDP_CONFIG_SOURCE" "$IDP_CONFIG.tmp"
    mv "$IDP_CONFIG.tmp" "$IDP_CONFIG"
    # Its log is stdout only (logback console): keep one previous log once it grows large.
    if (($(file_size "$IDP_LOG") > 20 * 1024 * 1024)); then mv "$IDP_LOG" "$IDP_LOG.1"; fi
    log "identity provider: starting mock-oauth2-server $IDP_VERSION on 127.0.0.1:$IDP_PORT (issuers: ${IDP_ISSUERS[*]}), log $IDP_LOG"
    local -a jcmd=("$JAVA_BIN")
    # shellcheck disable=SC2206 # heap options are a word list on purpose
    jcmd+=($IDP_HEAP_OPTS)
    # -Dnir.idp.dir marks the process as this state dir's (idp_pid checks it against pid reuse).
    jcmd+=(-XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true "-Dnir.idp.dir=$IDP_DIR" -cp "$IDP_LIBS/*" "$IDP_MAIN")
    IDP_LOG_OFFSET=$(file_size "$IDP_LOG")
    # The standalone server is configured by environment only; JSON_CONFIG would take precedence over the file.
    start_detached "$IDP_DIR" "$IDP_LOG" env -u JSON_CONFIG -u PORT -u LOGBACK_CONFIG SERVER_HOSTNAME=127.0.0.1 \
        SERVER_PORT="$IDP_PORT" JSON_CONFIG_PATH="$IDP_CONFIG" LOG_LEVEL="${NIR_IDP_LOG_LEVEL:-INFO}" "${jcmd[@]}"
    IDP_PID=$LAUNCHED_PID
    echo "$IDP_PID" >"$IDP_PID_FILE"
    echo "$IDP_PORT" >"$IDP_DIR/idp.port"
    IDP_STATE=started
    IDP_T0=$(now_ms)
}

idp_wait() {
    [[ $IDP_STATE == external ]] && return 0
    local deadline=$((SECONDS + IDP_START_TIMEOUT))
    until idp_probe "$LOCAL_IDP_URL" "${IDP_ISSUERS[@]}"; do
        if ! pid_alive "$IDP_PID"; then
            show_tail "$IDP_LOG" 40 "$IDP_LOG_OFFSET"
            rm -f "$IDP_PID_FILE"
            die "the identity provider exited during startup (pid $IDP_PID); see $IDP_LOG"
        fi
        if ((SECONDS >= deadline)); then
            show_tail "$IDP_LOG" 40 "$IDP_LOG_OFFSET"
            die "the identity provider (pid $IDP_PID, still running) did not serve $LOCAL_IDP_URL/${IDP_ISSUERS[0]}/.well-known/openid-configuration within ${IDP_START_TIMEOUT}s; see $IDP_LOG (stop it with '$0 down idp')"
        fi
        sleep 0.25
    done
    if [[ $IDP_STATE == started ]]; then
        log "identity provider: ready at $LOCAL_IDP_URL (pid $IDP_PID) after $(elapsed "$IDP_T0")"
    fi
}

idp_stop() {
    local pid
    pid=$(idp_pid)
    if [[ -z $pid ]]; then
        if [[ -f $IDP_PID_FILE ]]; then
            log "identity provider: not running (removing stale pid file)"
        else
            log "identity provider: not running"
        fi
        rm -f "$IDP_PID_FILE" "$IDP_DIR/idp.port"
        return 0
    fi
    stop_pid "identity provider" "$pid" 15
    rm -f "$IDP_PID_FILE" "$IDP_DIR/idp.port"
}

# ----------------------------------------------------------------------------------------------------
# Subcommands
# ----------------------------------------------------------------------------------------------------
readonly ALL_COMPONENTS="kafka postgres idp"
SELECTED=" $ALL_COMPONENTS "

# Which components a command acts on: those named, or all.
select_components() { # name...
    (($# == 0)) && return 0
    SELECTED=" "
    local c
    for c in "$@"; do
        [[ " $ALL_COMPONENTS " == *" $c "* ]] || die "unknown component '$c' (use: $ALL_COMPONENTS)"
        SELECTED+="$c "
    done
}

want() { [[ $SELECTED == *" $1 "* ]]; }

# Writes infra.env: the given KEY=VALUE lines, and for the keys not given (components not acted on) the lines
# the previous file had, so `up idp` keeps Kafka's and PostgreSQL's addresses.
write_env_file() { # KEY=VALUE...
    local -A given=()
    local kv key line
    for kv in "$@"; do given[${kv%%=*}]=$kv; done
    {
        for key in KAFKA_BOOTSTRAP_SERVERS DATABASE_URL NIR_IDP_URL; do
            if [[ -n ${given[$key]:-} ]]; then
                echo "${given[$key]}"
            elif [[ -f $ENV_FILE ]] && line=$(grep -m 1 "^$key=" "$ENV_FILE"); then
                echo "$line"
            fi
        done
    } >"$ENV_FILE.tmp"
    mv "$ENV_FILE.tmp" "$ENV_FILE"
}

cmd_up() {
    select_components "$@"
    local t0
    t0=$(now_ms)
    ensure_state_dir
    take_lock
    log "state: $STATE_DIR, jar cache: $CACHE_ROOT"
    # Check everything first (ports, java, server binaries), so a failed check leaves nothing half started.
    if want kafka; then kafka_preflight; fi
    if want postgres; then pg_preflight; fi
    if want idp; then idp_preflight; fi
    # Kafka and the identity provider start in the background while PostgreSQL is set up; then wait for them.
    if want kafka; then kafka_launch; fi
    if want idp; then idp_launch; fi
    if want postgres; then pg_start; fi
    if want kafka; then kafka_wait; fi
    if want idp; then idp_wait; fi

    local kafka_bootstrap=${KAFKA_BOOTSTRAP_SERVERS:-$LOCAL_KAFKA_BOOTSTRAP}
    local database_url=${DATABASE_URL:-$LOCAL_DATABASE_URL}
    local idp_url=${NIR_IDP_URL:-$LOCAL_IDP_URL}
    local -a lines=()
    if want kafka; then lines+=("KAFKA_BOOTSTRAP_SERVERS=$kafka_bootstrap"); fi
    if want postgres; then lines+=("DATABASE_URL=$database_url"); fi
    if want idp; then lines+=("NIR_IDP_URL=$idp_url"); fi
    write_env_file "${lines[@]}"

    if want kafka; then
        local kv="external"
        [[ $KAFKA_STATE != external ]] && kv="Apache Kafka $(kafka_version_seen)"
        log "Kafka:      $kv at $kafka_bootstrap ($KAFKA_STATE)"
    fi
    if want postgres; then
        # shellcheck disable=SC2001 # a regex replacement
        log "PostgreSQL: $PG_VERSION_SEEN at $(sed 's#^\([a-z]*://[^:/@]*\):[^@]*@#\1:***@#' <<<"${database_url%%\?*}") ($PG_STATE)"
    fi
    if want idp; then
        local iv="external"
        [[ $IDP_STATE != external ]] && iv="mock-oauth2-server $IDP_VERSION"
        log "identity:   $iv at $idp_url, issuers $idp_url/{${IDP_ISSUERS[*]:-nir}} ($IDP_STATE); try its login page through $idp_url/nir/debugger"
    fi
    log "up in $(elapsed "$t0"); wrote $ENV_FILE:"
    cat "$ENV_FILE"
}

cmd_down() {
    local purge=""
    if [[ ${1:-} == --purge ]]; then
        purge=1
        shift
    fi
    [[ ${1:-} != -* ]] || die "unknown option for down: $1 (only --purge)"
    select_components "$@"
    if [[ -n $purge && $SELECTED != " $ALL_COMPONENTS " ]]; then
        die "down --purge deletes the whole state dir, so it stops every component; name none with it"
    fi
    if [[ ! -d $STATE_DIR ]]; then
        log "nothing to stop: $STATE_DIR does not exist"
        return 0
    fi
    if [[ ! -e $STATE_MARKER ]]; then
        die "$STATE_DIR was not created by this script (no $(basename "$STATE_MARKER")); refusing to touch it"
    fi
    take_lock
    if want idp; then idp_stop; fi
    if want kafka; then kafka_stop; fi
    if want postgres; then pg_stop; fi
    if [[ -n $purge ]]; then
        case $STATE_DIR in
        / | "$HOME" | /var/tmp | /tmp | /var | /usr | /root | /home) die "refusing to delete NIR_STATE_DIR=$STATE_DIR" ;;
        esac
        exec 9>&-
        rm -rf -- "$STATE_DIR"
        log "purged $STATE_DIR (jar cache $CACHE_ROOT kept)"
    else
        log "stopped; data kept in $STATE_DIR (use 'down --purge' to delete it)"
    fi
}

cmd_status() {
    local rc=0 pid
    if [[ -n ${KAFKA_BOOTSTRAP_SERVERS:-} ]]; then
        if (kafka_check_external) 2>/dev/null; then
            echo "kafka:      external $KAFKA_BOOTSTRAP_SERVERS (answers)"
        else
            echo "kafka:      external $KAFKA_BOOTSTRAP_SERVERS (NOT answering)"
            rc=3
        fi
    else
        pid=$(kafka_pid)
        local kport
        kport=$(kafka_running_port)
        kport=${kport:-$KAFKA_PORT}
        if [[ -n $pid ]] && port_open 127.0.0.1 "$kport"; then
            echo "kafka:      running  pid $pid  127.0.0.1:$kport  Apache Kafka $(kafka_version_seen)  data $KAFKA_DATA"
        elif [[ -n $pid ]]; then
            echo "kafka:      starting pid $pid  (127.0.0.1:$kport not answering yet)  log $KAFKA_LOGS/server.log"
            rc=3
        else
            echo "kafka:      stopped$([[ -f $KAFKA_PID_FILE ]] && echo ' (stale pid file)')"
            rc=3
        fi
    fi
    if [[ -n ${DATABASE_URL:-} ]]; then
        if (pg_check_external) 2>/dev/null; then
            echo "postgresql: external DATABASE_URL (answers)"
        else
            echo "postgresql: external DATABASE_URL (NOT answering)"
            rc=3
        fi
    else
        pid=$(pg_running_pid)
        local pport
        pport=$(pg_running_port)
        pport=${pport:-$PG_PORT}
        if [[ -n $pid ]] && port_open 127.0.0.1 "$pport"; then
            local v="PostgreSQL"
            [[ -f $PG_DATA/PG_VERSION ]] && v="PostgreSQL $(<"$PG_DATA/PG_VERSION")"
            echo "postgresql: running  pid $pid  127.0.0.1:$pport  $v  data $PG_DATA"
        elif [[ -n $pid ]]; then
            echo "postgresql: starting pid $pid  (127.0.0.1:$pport not answering yet)"
            rc=3
        else
            echo "postgresql: stopped"
            rc=3
        fi
    fi
    if [[ -n ${NIR_IDP_URL:-} ]]; then
        if (idp_check_external) 2>/dev/null; then
            echo "identity:   external $NIR_IDP_URL (answers)"
        else
            echo "identity:   external $NIR_IDP_URL (NOT answering)"
            rc=3
        fi
    else
        pid=$(idp_pid)
        local iport
        iport=$(idp_running_port)
        iport=${iport:-$IDP_PORT}
        if [[ -n $pid ]] && idp_probe "http://127.0.0.1:$iport" nir; then
            echo "identity:   running  pid $pid  http://127.0.0.1:$iport  mock-oauth2-server $IDP_VERSION  config $IDP_CONFIG"
        elif [[ -n $pid ]]; then
            echo "identity:   starting pid $pid  (http://127.0.0.1:$iport/nir not answering yet)  log $IDP_LOG"
            rc=3
        else
            echo "identity:   stopped$([[ -f $IDP_PID_FILE ]] && echo ' (stale pid file)')"
            rc=3
        fi
    fi
    if [[ -f $ENV_FILE ]]; then
        echo "env file:   $ENV_FILE"
    fi
    if kafka_jars_cached; then
        echo "jar cache:  $KAFKA_LIBS"
    else
        echo "jar cache:  (no Kafka yet; the next 'up' fetches Kafka $KAFKA_VERSION with Maven)"
    fi
    if idp_jars_cached; then
        echo "jar cache:  $IDP_LIBS"
    else
        echo "jar cache:  (no identity provider yet; the next 'up' fetches mock-oauth2-server $IDP_VERSION with Maven)"
    fi
    return $rc
}

cmd_env() {
    [[ -f $ENV_FILE ]] || die "no $ENV_FILE yet; run '$0 up' first"
    if [[ ${1:-} == --export ]]; then
        sed 's/^/export /' "$ENV_FILE"
    else
        cat "$ENV_FILE"
    fi
}

usage() {
    cat <<EOF
Usage: $0 <command> [component...]

Runs locally, without Docker: Apache Kafka $KAFKA_VERSION (KRaft, from Maven Central jars), a PostgreSQL cluster,
and an OpenID Connect identity provider, NAV's mock-oauth2-server $IDP_VERSION (from Maven Central jars).
Components: kafka, postgres, idp; a command without any acts on all three.

Commands:
  up [component...]    start what is not running (idempotent), write \$NIR_STATE_DIR/infra.env and print it
  down [component...]  stop them, keeping data
  down --purge         stop everything and delete the state dir (not the jar cache)
  status               show what runs (exit 0 when all three run, 3 otherwise)
  env [--export]       print infra.env (KAFKA_BOOTSTRAP_SERVERS, DATABASE_URL, NIR_IDP_URL), optionally as export lines
  help                 this text

Progress lines ([infra] ...) go to stderr; 'up' and 'env' print only KEY=VALUE lines on stdout.

The identity provider serves one issuer per first path segment; deploy/local/idp.json configures
  \$NIR_IDP_URL/nir           caseworkers: authorization code flow (+ PKCE) through its login page, where
                              the developer types the user (sub) and claims as JSON
  \$NIR_IDP_URL/maskinporten  systems: client_credentials, tokens shaped like Maskinporten's (consumer_org=<orgnr>
                              gives consumer 0192:<orgnr>; resource=<uri> gives aud)
  discovery: \$NIR_IDP_URL/<issuer>/.well-known/openid-configuration

Environment:
  NIR_STATE_DIR              state: data, logs, pid files     (default /var/tmp/nir-avslutning; now $STATE_DIR)
  NIR_CACHE_DIR              jar cache root                   (default \${XDG_CACHE_HOME:-\$HOME/.cache}/nir-avslutning; now $CACHE_ROOT)
  NIR_KAFKA_PORT             Kafka client port                (default 19092)
  NIR_KAFKA_CONTROLLER_PORT  Kafka KRaft controller port      (default 19093)
  NIR_KAFKA_HEAP_OPTS        broker JVM heap                  (default "-Xms512m -Xmx512m")
  NIR_KAFKA_START_TIMEOUT    seconds to wait for the broker   (default 90)
  NIR_PG_PORT                PostgreSQL port                  (default 15432)
  NIR_PG_BINDIR              PostgreSQL server binaries dir   (default: highest /usr/lib/postgresql/*/bin)
  NIR_IDP_PORT               identity provider port           (default 18080)
  NIR_IDP_CONFIG             identity provider configuration  (default deploy/local/idp.json; now $IDP_CONFIG_SOURCE)
  NIR_IDP_HEAP_OPTS          identity provider JVM heap       (default "-Xms64m -Xmx256m")
  NIR_IDP_START_TIMEOUT      seconds to wait for the provider (default 60)
  NIR_IDP_LOG_LEVEL          identity provider log level      (default INFO)
  KAFKA_BOOTSTRAP_SERVERS    if set, use that Kafka instead of starting one
  DATABASE_URL               if set, use that PostgreSQL instead of starting one
  NIR_IDP_URL                if set, use the mock-oauth2-server at that base URL instead of starting one
  JAVA_HOME                  Java 17+ to run Kafka and the provider (default: java on PATH)
EOF
}

main() {
    local cmd=${1:-help}
    (($# > 0)) && shift
    case $cmd in
    up) cmd_up "$@" ;;
    down | stop) cmd_down "$@" ;;
    status) cmd_status "$@" ;;
    env) cmd_env "$@" ;;
    help | -h | --help) usage ;;
    *)
        usage >&2
        exit 2
        ;;
    esac
}

main "$@"
