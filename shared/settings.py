"""One settings class per service, read from the environment once at start (in the service's app.py).

Environment names are the field names in upper case (KAFKA_BOOTSTRAP_SERVERS, DATABASE_URL, HTTP_PORT, …);
docker-compose.yml and deploy/ set exactly these, and a test checks that they do.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.kodeverk import geografi


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    SERVICE: ClassVar[str]
    # The service's own PostgreSQL schema: it owns it, nobody else reads it.
    DB_SCHEMA: ClassVar[str]

    kafka_bootstrap_servers: str = "127.0.0.1:19092"
    database_url: str = "postgresql://nir:nir@127.0.0.1:15432/nir"
    http_host: str = "127.0.0.1"
    http_port: int
    log_level: str = "INFO"
    consumer_group: str | None = Field(default=None, description="Defaults to nir-<service>.")
    # Prepended to every topic name: lets test sessions (or several environments on one cluster) share a
    # broker without seeing each other's events. Empty in production.
    topic_prefix: str = Field(default="", pattern=r"^[A-Za-z0-9._-]*$")
    db_pool_max_size: int = Field(default=10, ge=1)
    # Static consumer-group membership (KIP-345): a restarted process with the same id takes its partitions
    # back at once instead of waiting for a rebalance. Stable per replica (the pod name); unset = dynamic.
    instance_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9._-]{1,200}$")
    # How long a member may be silent before its partitions go to another (with static membership this is
    # also how long a replica that died for good keeps them).
    kafka_session_timeout_ms: int = Field(default=10_000, ge=6_000)
    # Retention (services/plumbing/retention.py): processed event ids, published outbox rows.
    processed_events_retention_days: float = Field(default=14, gt=0)
    outbox_retention_days: float = Field(default=7, gt=0)
    retention_interval_seconds: float = Field(default=3600, gt=0)

    @property
    def group_id(self) -> str:
        return self.consumer_group or f"nir-{self.SERVICE}"


# The development table of which kommune a system client acts for (deploy/local/); production sets the path of
# its ConfigMap (deploy/k8s/01-config.yaml), generated from Enhetsregisteret.
DEV_KOMMUNE_ORGNR = Path(__file__).resolve().parents[1] / "deploy" / "local" / "kommune-orgnr.csv"


class IdentitySettings(BaseSettings):
    """Who may call the API (services/plumbing/auth.py, the identity contract). Configuration only: production
    names ID-porten or the kommune's Entra ID and Maskinporten here; nothing in the code knows the local
    provider. Defaults are the local provider (deploy/local/infra.sh), as the Kafka and PostgreSQL defaults are."""

    # Caseworkers' tokens (the web application's users): the OIDC providers' discovery documents, comma-separated
    # (ID-porten, or each kommune's Entra ID tenant).
    oidc_discovery_urls: str = "http://127.0.0.1:18080/nir/.well-known/openid-configuration"
    # The clients whose caseworker tokens are accepted (the token's azp, or client_id), comma-separated: a token
    # the same provider issued to another application is refused.
    oidc_client_ids: str = "nir-web,nir-swagger"
    # Which kommuner each caseworker issuer may grant (a kommune's Entra tenant must not name another kommune):
    # a JSON object, discovery URL → list of kommunenumre, or "*" for a national issuer (ID-porten behind IMDi's
    # broker: any kommune, and the IMDI role). With one issuer, an unlisted one is national; with several, every
    # one must be listed (checked at start), so a tenant added later cannot be forgotten.
    oidc_issuer_kommuner: str = ""
    # Systems' tokens (kommune fagsystem integrations): Maskinporten's metadata document.
    maskinporten_discovery_url: str = "http://127.0.0.1:18080/maskinporten/.well-known/openid-configuration"
    # Every token's aud must contain this (the API's identifier at both providers).
    api_audience: str = "api://nir-avslutning"
    # Maskinporten's consumer organisation (orgnr) → kommunenummer: CSV with columns kommunenummer,orgnr,navn.
    kommune_orgnr_file: Path = DEV_KOMMUNE_ORGNR
    # IMDi's organisasjonsnummer: a Maskinporten token of this consumer with scope imdi:nir.avslutning.opphold is
    # IMDi's bosetting system, the only source of opphold facts (issue #13 §1). Locally 999999999 (a made-up
    # number that passes mod-11); production: IMDi's orgnr from Enhetsregisteret (deploy/k8s/01-config.yaml).
    imdi_orgnr: str = Field(default="999999999", pattern=r"^(\d{9})?$")
    # JWKS: refreshed when a token names an unknown kid (or its key no longer verifies: a rotation that kept the
    # kid), at most once per this many seconds per issuer; and re-read when older than the max age.
    jwks_min_refresh_seconds: float = Field(default=10, ge=0)
    jwks_max_age_seconds: float = Field(default=3600, gt=0)
    # Swagger UI's «Authorize» (authorization code + PKCE at the OIDC provider) uses this public client; empty:
    # only a pasted bearer token.
    swagger_ui_client_id: str = "nir-swagger"

    @property
    def oidc_discovery(self) -> tuple[str, ...]:
        return tuple(u.strip() for u in self.oidc_discovery_urls.split(",") if u.strip())

    @property
    def oidc_clients(self) -> frozenset[str]:
        return frozenset(c.strip() for c in self.oidc_client_ids.split(",") if c.strip())

    @property
    def oidc_kommuner(self) -> dict[str, frozenset[str] | None]:
        """Discovery URL → the kommuner its tokens may name (None: any kommune, and IMDi). Raises ValueError
        with the reason when the setting is malformed or leaves an issuer unbound."""
        return issuer_kommuner(self.oidc_issuer_kommuner, self.oidc_discovery)


def issuer_kommuner(verdi: str, issuers: tuple[str, ...]) -> dict[str, frozenset[str] | None]:
    try:
        raw = json.loads(verdi) if verdi.strip() else {}
    except json.JSONDecodeError as exc:
        raise ValueError(f"OIDC_ISSUER_KOMMUNER er ikke JSON: {exc.msg}") from None
    if not isinstance(raw, dict):
        raise ValueError('OIDC_ISSUER_KOMMUNER må være et JSON-objekt: discovery-URL → kommunenumre eller "*"')
    ukjente = set(raw) - set(issuers)
    if ukjente:
        raise ValueError(f"OIDC_ISSUER_KOMMUNER nevner utstedere som ikke er i OIDC_DISCOVERY_URLS: {sorted(ukjente)}")
    if len(issuers) > 1 and (mangler := [u for u in issuers if u not in raw]):
        raise ValueError(f"OIDC_ISSUER_KOMMUNER mangler utstederne {mangler}: med flere utstedere må hver bindes")
    kjente = geografi.kommuner()
    ut: dict[str, frozenset[str] | None] = {}
    for url in issuers:
        k = raw.get(url, "*")
        if k == "*":
            ut[url] = None
        elif isinstance(k, list) and k and all(isinstance(x, str) and x in kjente for x in k):
            ut[url] = frozenset(k)
        else:
            raise ValueError(f'OIDC_ISSUER_KOMMUNER[{url}] må være "*" eller en liste av kjente kommunenumre')
    return ut


class RegistreringSettings(IdentitySettings, ServiceSettings):
    SERVICE: ClassVar[str] = "registrering"
    DB_SCHEMA: ClassVar[str] = "registrering"
    http_port: int = 8081
    # An Idempotency-Key's stored answer is kept this long: a retry within it gets the first answer.
    idempotency_key_retention_days: float = Field(default=7, gt=0)


class RegelmotorSettings(ServiceSettings):
    SERVICE: ClassVar[str] = "regelmotor"
    DB_SCHEMA: ClassVar[str] = "regelmotor"
    http_port: int = 8082
    tidssone: str = "Europe/Oslo"
    # The day clock (publishes DognPassert); tests turn it off and move time by publishing ticks themselves.
    klokke_aktiv: bool = True
    # Deltakere per transaction in the daily deadline sweep.
    sveip_batch: int = Field(default=500, ge=1)


class FolkeregisterAdapterSettings(ServiceSettings):
    # A start-up error must not echo the environment it read (MASKINPORTEN_KEY is a private key).
    model_config = SettingsConfigDict(hide_input_in_errors=True)
    SERVICE: ClassVar[str] = "folkeregister_adapter"
    DB_SCHEMA: ClassVar[str] = "folkeregister_adapter"
    http_port: int = 8083
    folkeregister_base_url: str = "http://127.0.0.1:8090/folkeregisteret/api/v1"
    # HTTP basic auth: the local simulator only. Skatteetaten's API takes a Maskinporten token (below).
    folkeregister_client_id: str = ""
    folkeregister_client_secret: str = ""
    folkeregister_poll_interval_seconds: float = Field(default=5.0, gt=0)
    # Maskinporten (JWT bearer grant): used when a token URL is set; the key comes from a Secret.
    maskinporten_token_url: str = ""
    maskinporten_audience: str = (
        "https://maskinporten.no/"  # Maskinporten's issuer identifier (test: https://test.maskinporten.no/)
    )
    maskinporten_client_id: str = ""
    maskinporten_scope: str = "folkeregister:deling/offentligmedhjemmel"
    maskinporten_key: SecretStr = SecretStr("")  # PEM, RSA private key
    maskinporten_kid: str = ""

    @property
    def maskinporten_aktiv(self) -> bool:
        return bool(self.maskinporten_token_url)

    @model_validator(mode="after")
    def _maskinporten_komplett(self) -> FolkeregisterAdapterSettings:
        satt = {
            "MASKINPORTEN_CLIENT_ID": self.maskinporten_client_id,
            "MASKINPORTEN_KID": self.maskinporten_kid,
            "MASKINPORTEN_KEY": self.maskinporten_key.get_secret_value(),
        }
        if not self.maskinporten_aktiv:
            if any(satt.values()):
                raise ValueError(
                    f"{', '.join(k for k, v in satt.items() if v)} set but MASKINPORTEN_TOKEN_URL "
                    "is not: set it to use Maskinporten, or leave all MASKINPORTEN_* unset"
                )
            return self
        mangler = [
            k
            for k, v in (
                satt
                | {"MASKINPORTEN_AUDIENCE": self.maskinporten_audience, "MASKINPORTEN_SCOPE": self.maskinporten_scope}
            ).items()
            if not v.strip()
        ]
        if mangler:
            raise ValueError(f"MASKINPORTEN_TOKEN_URL is set but {', '.join(mangler)} is not")
        if self.folkeregister_client_id or self.folkeregister_client_secret:
            raise ValueError("both Maskinporten and FOLKEREGISTER_CLIENT_ID/SECRET (basic auth) are set; choose one")
        return self


class RapportSettings(IdentitySettings, ServiceSettings):
    SERVICE: ClassVar[str] = "rapport"
    DB_SCHEMA: ClassVar[str] = "rapport"
    http_port: int = 8084


class WebSettings(ServiceSettings):
    """The caseworkers' web application (services/web): a backend-for-frontend that logs users in at the OIDC
    provider and calls registrering's and rapport's APIs with the user's access token. It reads no topic: its
    only state is the sessions, in its own schema. Kafka settings are inherited and unused."""

    # A start-up error must not echo the environment it read (WEB_CLIENT_KEY is a private key).
    model_config = SettingsConfigDict(hide_input_in_errors=True)
    SERVICE: ClassVar[str] = "web"
    DB_SCHEMA: ClassVar[str] = "web"
    http_port: int = 8080
    # Where the browser reaches this application (the OIDC redirect URI is built from it).
    public_url: str = "http://127.0.0.1:8080"
    registrering_url: str = "http://127.0.0.1:8081"
    rapport_url: str = "http://127.0.0.1:8084"
    # The OIDC provider the caseworkers log in at (ID-porten through a claims broker, or a kommune's Entra ID).
    web_oidc_discovery_url: str = "http://127.0.0.1:18080/nir/.well-known/openid-configuration"
    web_client_id: str = "nir-web"
    web_scopes: str = "openid profile"
    # private_key_jwt (RFC 7523) when a key is set, as production requires; empty: a public client (PKCE only),
    # which the local provider accepts.
    web_client_key: SecretStr = SecretStr("")  # PEM, RSA private key
    web_client_kid: str = ""
    # The session cookie: Secure in production (https); off for local http.
    cookie_secure: bool = False
    # The users' tokens are encrypted in the session table (Fernet: AES-128-CBC + HMAC-SHA256): comma-separated
    # keys, the first encrypts, all decrypt (rotation: put the new key first, drop the old one after the absolute
    # timeout). Empty: a random key per process, so sessions do not outlive a restart — fine locally; production
    # sets it from the Secret (every replica the same keys).
    session_token_keys: SecretStr = SecretStr("")
    session_idle_minutes: float = Field(default=30, gt=0)
    session_absolute_hours: float = Field(default=10, gt=0)

    @property
    def redirect_uri(self) -> str:
        return self.public_url.rstrip("/") + "/innlogging/callback"


# The services on Kafka (each a ServiceRuntime: topics, outbox, consumers, AsyncAPI).
ALL_SETTINGS: tuple[type[ServiceSettings], ...] = (
    RegistreringSettings,
    RegelmotorSettings,
    FolkeregisterAdapterSettings,
    RapportSettings,
)
# Every deployed process: those and the web application (docker-compose.yml, deploy/k8s).
DEPLOYED_SETTINGS: tuple[type[ServiceSettings], ...] = (*ALL_SETTINGS, WebSettings)
