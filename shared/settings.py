"""One settings class per service, read from the environment once at start (in the service's app.py).

Environment names are the field names in upper case (KAFKA_BOOTSTRAP_SERVERS, DATABASE_URL, HTTP_PORT, …);
docker-compose.yml and deploy/ set exactly these, and a test checks that they do.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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

    @property
    def group_id(self) -> str:
        return self.consumer_group or f"nir-{self.SERVICE}"


class _JwtSettings(BaseSettings):
    jwt_issuer: str = "nir-dev"
    jwt_audience: str = "nir-avslutning"
    # PEM-encoded public keys (newline-separated PEM blocks); set from a Secret in production.
    jwt_public_keys: str = ""


class RegistreringSettings(_JwtSettings, ServiceSettings):
    SERVICE: ClassVar[str] = "registrering"
    DB_SCHEMA: ClassVar[str] = "registrering"
    http_port: int = 8081


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
    SERVICE: ClassVar[str] = "folkeregister_adapter"
    DB_SCHEMA: ClassVar[str] = "folkeregister_adapter"
    http_port: int = 8083
    folkeregister_base_url: str = "http://127.0.0.1:8090/folkeregisteret/api/v1"
    folkeregister_client_id: str = ""
    folkeregister_client_secret: str = ""
    folkeregister_poll_interval_seconds: float = Field(default=5.0, gt=0)


class RapportSettings(_JwtSettings, ServiceSettings):
    SERVICE: ClassVar[str] = "rapport"
    DB_SCHEMA: ClassVar[str] = "rapport"
    http_port: int = 8084


ALL_SETTINGS: tuple[type[ServiceSettings], ...] = (
    RegistreringSettings,
    RegelmotorSettings,
    FolkeregisterAdapterSettings,
    RapportSettings,
)
