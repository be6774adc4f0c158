"""registrering's and rapport's HTTP APIs, called with the logged-in user's access token. The web application
decides nothing: what the APIs answer (data, a refusal, a field error, a warning to confirm) is what it shows."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import httpx

log = logging.getLogger(__name__)


class IkkeInnlogget(Exception):
    """The API refused the session's token (401): the user logs in again."""


class Utilgjengelig(Exception):
    """An API did not answer, or answered 5xx: the page says so (503), nothing is guessed."""


@dataclass(frozen=True)
class Svar:
    status: int
    data: Any

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def melding(self) -> str:
        """The API's own message for a refusal (403, 404, 409): a problem's `detail` (services/plumbing/problem.py),
        in Norwegian."""
        if isinstance(self.data, dict) and isinstance(self.data.get("detail"), str):
            return self.data["detail"]
        return ""

    @property
    def kode(self) -> str:
        """The problem's stable code (e.g. KREVER_BEKREFTELSE, ALLEREDE_REGISTRERT), or «»."""
        return str(self.data.get("kode", "")) if isinstance(self.data, dict) else ""

    @property
    def krever_bekreftelse(self) -> bool:
        """DOMAIN.md §4 rule 4: the API warns before saving; the form asks the user to confirm."""
        return self.status == 409 and self.kode == "KREVER_BEKREFTELSE"

    def feltfeil(self) -> dict[str, str]:
        """A 422's messages by field (the first part of the problem's `felt`: «avslutningsdato», «periode» for
        «periode.fra»); one without a field under «»."""
        if self.status != 422 or not isinstance(self.data, dict) or not isinstance(self.data.get("feil"), list):
            return {}
        feil: dict[str, str] = {}
        for e in self.data["feil"]:
            felt = str(e.get("felt", "")).split(".")[0]
            feil.setdefault(felt, str(e.get("melding", "")))
        return feil


class Apier:
    def __init__(self, http: httpx.AsyncClient, *, registrering_url: str, rapport_url: str) -> None:
        self.http = http
        self.registrering_url = registrering_url.rstrip("/")
        self.rapport_url = rapport_url.rstrip("/")

    async def registrering(self, token: str, metode: str, sti: str, **kw: Any) -> Svar:
        return await self._kall(self.registrering_url, token, metode, sti, **kw)

    async def rapport(self, token: str, metode: str, sti: str, **kw: Any) -> Svar:
        return await self._kall(self.rapport_url, token, metode, sti, **kw)

    async def _kall(
        self,
        base: str,
        token: str,
        metode: str,
        sti: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> Svar:
        headers = {"Authorization": f"Bearer {token}"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        # A request that is safe to send again — a read, or a write under its own Idempotency-Key, which the
        # API stores once — is sent once more when the connection broke before an answer came. A kept-alive
        # connection the server closes just as we reuse it breaks that way (httpx#2983, uvicorn closes idle
        # connections after 5 s); so does a replica that stops. Any other write is never repeated.
        forsok = 2 if metode.upper() in ("GET", "HEAD", "OPTIONS") or idempotency_key else 1
        try:
            for igjen in range(forsok - 1, -1, -1):
                try:
                    r = await self.http.request(metode, base + sti, json=json, params=params, headers=headers)
                    break
                except (httpx.RemoteProtocolError, httpx.ConnectError):
                    if not igjen:
                        raise
        except httpx.HTTPError as exc:
            # the path only (it holds ids, never an identifier of a person: searches are POSTed)
            log.warning("api utilgjengelig", extra={"sti": sti, "feil": type(exc).__name__})
            raise Utilgjengelig(sti) from exc
        if r.status_code == 401:
            raise IkkeInnlogget()
        if r.status_code >= 500:
            log.warning("api svarte med feil", extra={"sti": sti, "status": r.status_code})
            raise Utilgjengelig(sti)
        data: Any = None
        if r.content and r.headers.get("content-type", "").startswith(("application/json", "application/problem+json")):
            data = r.json()
        return Svar(r.status_code, data)
