#!/usr/bin/env bash
# Start, stop and show the NIR avslutning services (and the caseworkers' web application) as background processes on this machine, against
# the infrastructure deploy/local/infra.sh started (or the servers named in the environment).
#   bash deploy/local/services.sh up|down|status
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${NIR_STATE_DIR:-/var/tmp/nir-avslutning}"
RUN="$STATE/services"
PY="$ROOT/.venv/bin/python"
# name:port — the defaults of shared/settings.py; the Folkeregister simulator first (the adapter follows it)
SERVICES=(folkeregister_simulator:8090 registrering:8081 regelmotor:8082 folkeregister_adapter:8083 rapport:8084 web:8080)

module_of() {
  case "$1" in
    folkeregister_simulator) echo simulators.folkeregister ;;
    *) echo "services.$1" ;;
  esac
}

say() { printf '[services] %s\n' "$*"; }
die() { printf '[services] ERROR: %s\n' "$*" >&2; exit 1; }

alive() { [[ -f "$RUN/$1.pid" ]] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

ready() { curl -fsS -m 2 "http://127.0.0.1:$1/health/ready" >/dev/null 2>&1; }

load_env() {
  if [[ -z "${KAFKA_BOOTSTRAP_SERVERS:-}" || -z "${DATABASE_URL:-}" ]]; then
    [[ -f "$STATE/infra.env" ]] || die "no $STATE/infra.env: start the infrastructure first (make infra-up)"
    set -a; source "$STATE/infra.env"; set +a
  fi
}

up() {
  [[ -x "$PY" ]] || die "no virtualenv at $ROOT/.venv: run 'make setup' first"
  load_env
  mkdir -p "$RUN"
  # The identity provider infra.sh started (NIR_IDP_URL in infra.env): registrering and rapport accept its
  # caseworker (issuer nir) and system (issuer maskinporten) tokens; the org→kommune table is deploy/local's.
  local idp="${NIR_IDP_URL:-http://127.0.0.1:18080}"
  export OIDC_DISCOVERY_URLS="${OIDC_DISCOVERY_URLS:-$idp/nir/.well-known/openid-configuration}"
  export MASKINPORTEN_DISCOVERY_URL="${MASKINPORTEN_DISCOVERY_URL:-$idp/maskinporten/.well-known/openid-configuration}"
  export KOMMUNE_ORGNR_FILE="${KOMMUNE_ORGNR_FILE:-$ROOT/deploy/local/kommune-orgnr.csv}"
  # the web application logs caseworkers in at the same provider (public client nir-web, PKCE)
  export WEB_OIDC_DISCOVERY_URL="${WEB_OIDC_DISCOVERY_URL:-$idp/nir/.well-known/openid-configuration}"
  # Maskinporten as in production: the simulator serves the token endpoint and checks the grants the adapter
  # signs with a development RSA key (created once). Set MASKINPORTEN_TOKEN_URL yourself to use another.
  local adapter_env=()
  if [[ -z "${MASKINPORTEN_TOKEN_URL:-}" && -z "${FOLKEREGISTER_CLIENT_ID:-}" ]]; then
    local mpdir="$STATE/maskinporten"
    (cd "$ROOT" && "$PY" -m simulators.folkeregister.maskinporten keygen --dir "$mpdir" >/dev/null)
    export SIMULATOR_MASKINPORTEN_KLIENT=nir-avslutning-dev SIMULATOR_MASKINPORTEN_KID=nir-dev-1 \
      SIMULATOR_MASKINPORTEN_NOKKEL="$mpdir/public.pem" SIMULATOR_MASKINPORTEN_UTSTEDER=https://test.maskinporten.no/
    export MASKINPORTEN_TOKEN_URL=http://127.0.0.1:8090/maskinporten/token \
      MASKINPORTEN_AUDIENCE=https://test.maskinporten.no/ MASKINPORTEN_CLIENT_ID=nir-avslutning-dev MASKINPORTEN_KID=nir-dev-1
    adapter_env=(MASKINPORTEN_KEY="$(cat "$mpdir/private.pem")")  # the private key: the adapter's only
  fi
  for entry in "${SERVICES[@]}"; do
    name="${entry%%:*}"; port="${entry##*:}"
    if alive "$name"; then say "$name already running (pid $(cat "$RUN/$name.pid"))"; continue; fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      die "port $port (for $name) is taken by another process; stop it and run again"
    fi
    # Redirect every standard stream, so the caller's terminal or pipe is not held open by the service;
    # setsid (no fork: a background job is not a group leader) detaches it from the caller's signals.
    (cd "$ROOT" && { [[ $name == folkeregister_adapter && ${#adapter_env[@]} -gt 0 ]] && export "${adapter_env[@]}"; }
     HTTP_PORT="$port" SIMULATOR_PORT="$port" INSTANCE_ID="$name-1" exec setsid "$PY" -m "$(module_of "$name")" >>"$RUN/$name.log" 2>&1 </dev/null) &
    echo $! >"$RUN/$name.pid"
    say "started $name (pid $(cat "$RUN/$name.pid"), log $RUN/$name.log)"
  done
  for entry in "${SERVICES[@]}"; do
    name="${entry%%:*}"; port="${entry##*:}"
    for _ in $(seq 1 120); do
      ready "$port" && break
      alive "$name" || { tail -n 30 "$RUN/$name.log" >&2; die "$name exited during start (log above)"; }
      sleep 0.5
    done
    ready "$port" || { tail -n 30 "$RUN/$name.log" >&2; die "$name not ready after 60 s (log above)"; }
    if [[ $name == web ]]; then say "$name ready: http://127.0.0.1:$port  (log in here; health /health/ready, metrics /metrics)"
    else say "$name ready: http://127.0.0.1:$port  (health /health/ready, metrics /metrics, API docs /docs)"; fi
  done
  say "identity provider: $idp (issuers $idp/nir for caseworkers, $idp/maskinporten for fagsystem clients)"
  say "log in to NIR (the caseworkers' web application): http://127.0.0.1:8080 — the provider's page asks for a"
  say '  username (any) and claims, e.g. {"preferred_username": "4223-CES", "kommunenummer": "4223", "roller": ["SAKSBEHANDLER"]}'
  say "try the API: http://127.0.0.1:8081/docs → Authorize (logs in at the provider's page; type the claims, e.g."
  say '  {"preferred_username": "4223-CES", "kommunenummer": "4223", "roller": ["SAKSBEHANDLER"]})'
}

down() {
  for entry in "${SERVICES[@]}"; do
    name="${entry%%:*}"
    if alive "$name"; then
      pid="$(cat "$RUN/$name.pid")"
      kill -TERM "$pid"
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -0 "$pid" 2>/dev/null && { say "$name did not stop in 30 s; killing"; kill -KILL "$pid"; }
      say "stopped $name"
    fi
    rm -f "$RUN/$name.pid"
  done
}

status() {
  for entry in "${SERVICES[@]}"; do
    name="${entry%%:*}"; port="${entry##*:}"
    if alive "$name"; then
      if ready "$port"; then s="ready"; else s="running, not ready"; fi
      printf '%-22s %-20s pid %-7s http://127.0.0.1:%s\n' "$name" "$s" "$(cat "$RUN/$name.pid")" "$port"
    else
      printf '%-22s %s\n' "$name" "stopped"
    fi
  done
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
