"""Skatteetaten's «hendelsesliste» as a Folkeregisterkilde: HTTP, status codes, and parsing of the real field
names (docs/FOLKEREGISTER.md) into the source-neutral values of folkeregisterkilde.py."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, TypeVar

import httpx

from services.folkeregister_adapter.folkeregisterkilde import (
    Bostedsadresse,
    Dodsfallsopplysning,
    Egenskapshendelse,
    Feedhendelse,
    ForMangeForesporsler,
    Identifikasjonsnummer,
    Innslag,
    Kildefeil,
    Opplysning,
    Persondokument,
    Side,
    UgyldigInnslag,
    UtenforRetensjon,
    UtflyttingFraNorge,
)
from services.folkeregister_adapter.maskinporten import Maskinporten, MaskinportenAuth

SIDESTORRELSE = 1000


class Ugyldig(ValueError):
    pass


def _dato(v: Any, felt: str) -> date | None:
    if v in (None, ""):
        return None
    try:
        return date.fromisoformat(str(v)[:10])
    except ValueError:
        raise Ugyldig(f"{felt} er ikke en dato") from None


def _tid(v: Any, felt: str) -> datetime:
    try:
        t = datetime.fromisoformat(str(v).replace("Z", "+00:00"))
    except ValueError:
        raise Ugyldig(f"{felt} er ikke et tidspunkt") from None
    if t.tzinfo is None:
        raise Ugyldig(f"{felt} mangler tidssone")
    return t


def _opphoert(o: dict[str, Any]) -> bool:
    return o.get("opphoerstidspunkt") is not None or o.get("erGjeldende") is False


def _kommunenummer(adr: dict[str, Any]) -> str | None:
    for art in ("vegadresse", "matrikkeladresse"):
        if isinstance(adr.get(art), dict):
            return adr[art].get("kommunenummer")
    if isinstance(adr.get("ukjentBosted"), dict):
        return adr["ukjentBosted"].get("bostedskommune")
    return None


def les_opplysning(navn: str, o: dict[str, Any]) -> Opplysning | None:
    """One opplysning by its name; None for kinds NIR does not use (sivilstand, navn, …)."""
    if not isinstance(o, dict):
        raise Ugyldig(f"{navn} er ikke et objekt")
    match navn:
        case "doedsfall":
            return Dodsfallsopplysning(_dato(o.get("doedsdato"), "doedsfall.doedsdato"), _opphoert(o))
        case "utflyttingFraNorge":
            land = o.get("tilflyttingsland")
            return UtflyttingFraNorge(
                _dato(o.get("utflyttingsdato"), "utflyttingFraNorge.utflyttingsdato"),
                land if isinstance(land, str) and len(land) == 3 else None,
                _opphoert(o),
            )
        case "bostedsadresse":
            return Bostedsadresse(
                _kommunenummer(o), _dato(o.get("flyttedato"), "bostedsadresse.flyttedato"), _opphoert(o)
            )
        case "identifikasjonsnummer" | "folkeregisteridentifikator":
            ident = o.get("foedselsEllerDNummer") or o.get("identifikasjonsnummer")
            if not isinstance(ident, str):
                raise Ugyldig(f"{navn}.foedselsEllerDNummer mangler")
            return Identifikasjonsnummer(ident, o.get("status") == "opphoert" or _opphoert(o))
    return None


def les_innslag(innslag: dict[str, Any]) -> Feedhendelse | UgyldigInnslag:
    """One feed entry. The hendelsesdokument may be embedded (the simulator) or absent; the entry's own
    fields then give type and person, and the hendelse has no egenskaper."""
    seq = innslag.get("sekvensnummer")
    if not isinstance(seq, int):
        raise Ugyldig("sekvensnummer mangler")  # without it the page cannot be followed at all
    try:
        h = innslag.get("hendelse")
        if not isinstance(h, dict):
            raise Ugyldig("hendelse mangler")
        dok = h.get("hendelsesdokument")
        dok = dok if isinstance(dok, dict) else {}
        indre = dok.get("hendelse")
        indre = indre if isinstance(indre, dict) else {}
        ident = h.get("folkeregisteridentifikator") or indre.get("folkeregisteridentifikator")
        if not isinstance(ident, str):
            raise Ugyldig("folkeregisteridentifikator mangler")
        hendelsestype = h.get("hendelsetype") or h.get("hendelsestype") or indre.get("hendelsestype")
        if not isinstance(hendelsestype, str):
            raise Ugyldig("hendelsetype mangler")
        egenskaper = []
        for e in indre.get("egenskapshendelse") or []:
            endring = e.get("entitetsendring")
            if not isinstance(endring, str):
                raise Ugyldig("egenskapshendelse.entitetsendring mangler")
            entitet = e.get("entitet")
            if not entitet:  # annullere: no payload, and that is the point (FOLKEREGISTER.md traps)
                egenskaper.append(Egenskapshendelse(endring, None))
                continue
            for navn, o in entitet.items():
                if (opplysning := les_opplysning(navn, o)) is not None:
                    egenskaper.append(Egenskapshendelse(endring, opplysning))
        return Feedhendelse(
            hendelse_id=str(dok.get("dokumentidentifikator") or f"sekvensnummer:{seq}"),
            sekvensnummer=seq,
            ident=ident,
            hendelsestype=hendelsestype,
            ajourholdstidspunkt=_tid(
                h.get("ajourholdstidspunkt") or indre.get("ajourholdstidspunkt"), "ajourholdstidspunkt"
            ),
            egenskaper=tuple(egenskaper),
        )
    except Ugyldig as exc:
        return UgyldigInnslag(seq, str(exc))


def forhandsles(innslag: dict[str, Any]) -> Innslag | UgyldigInnslag:
    """Sekvensnummer, identifiers and type only; the rest is parsed when NIR knows the person."""
    seq = innslag.get("sekvensnummer")
    if not isinstance(seq, int):
        raise Ugyldig("sekvensnummer mangler")
    h = innslag.get("hendelse")
    h = h if isinstance(h, dict) else {}
    ident, typ = h.get("folkeregisteridentifikator"), h.get("hendelsetype") or h.get("hendelsestype")
    if not isinstance(ident, str) or not isinstance(typ, str) or typ == "endringIIdentifikasjonsnummer":
        full = les_innslag(innslag)  # rare or broken: read it all now
        if isinstance(full, UgyldigInnslag):
            return full
        identer = (
            full.ident,
            *(e.opplysning.ident for e in full.egenskaper if isinstance(e.opplysning, Identifikasjonsnummer)),
        )
        return Innslag(seq, identer, full.hendelsestype, lambda: full)
    return Innslag(seq, (ident,), typ, lambda: les_innslag(innslag))


def les_side(fra: int, body: Any) -> Side:
    innslag = body.get("hendelser", body) if isinstance(body, dict) else body
    if not isinstance(innslag, list):
        raise Kildefeil(200, "feed-svaret er ikke en liste")
    try:
        lest = tuple(forhandsles(i) for i in innslag)
    except (Ugyldig, AttributeError) as exc:
        raise Kildefeil(200, f"feed-svaret kan ikke leses: {exc}") from None
    neste = max((i.sekvensnummer for i in lest), default=fra - 1) + 1
    return Side(fra=fra, neste=max(neste, fra), innslag=lest)


_O = TypeVar("_O", Dodsfallsopplysning, UtflyttingFraNorge, Bostedsadresse)


def _gjeldende(liste: Any, navn: str, typ: type[_O]) -> _O | None:
    """The opplysning in force of the kind `navn` names (les_opplysning reads that name as `typ`)."""
    for o in liste or []:
        opplysning = les_opplysning(navn, o)
        if isinstance(opplysning, typ) and not opplysning.opphoert:
            return opplysning
    return None


def les_persondokument(p: dict[str, Any]) -> Persondokument:
    identer = tuple(
        o["foedselsEllerDNummer"]
        for o in p.get("identifikasjonsnummer") or []
        if isinstance(o, dict) and o.get("foedselsEllerDNummer")
    )
    return Persondokument(
        identer=identer,
        dodsfall=_gjeldende(p.get("doedsfall"), "doedsfall", Dodsfallsopplysning),
        utflytting=_gjeldende(p.get("utflyttingFraNorge"), "utflyttingFraNorge", UtflyttingFraNorge),
        bosted=_gjeldende(p.get("bostedsadresse"), "bostedsadresse", Bostedsadresse),
    )


def _retry_after(r: httpx.Response) -> float:
    try:
        return max(0.0, float(r.headers.get("Retry-After", "1")))
    except ValueError:
        return 1.0  # an HTTP-date: wait a second and ask again


def _feilkropp(r: httpx.Response) -> tuple[str | None, str]:
    try:
        b = r.json()
        return b.get("kode"), str(b.get("melding", ""))
    except (json.JSONDecodeError, AttributeError, ValueError):
        return None, r.reason_phrase


class Hendelsesliste:
    """The HTTP client. With `maskinporten`, every call carries a Maskinporten bearer token (a 401 renews it once,
    maskinporten.py); otherwise credentials, when set, go as HTTP basic auth (the local simulator)."""

    def __init__(
        self,
        base_url: str,
        *,
        client_id: str = "",
        client_secret: str = "",
        maskinporten: Maskinporten | None = None,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        auth: httpx.Auth | None = None
        if maskinporten is not None:
            auth = MaskinportenAuth(maskinporten)
        elif client_id:
            auth = httpx.BasicAuth(client_id, client_secret)
        self._maskinporten = maskinporten
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/", auth=auth, timeout=timeout, transport=transport
        )
        self._etag: dict[int, str] = {}

    async def _get(self, path: str, **kw: Any) -> httpx.Response:
        try:
            r = await self._http.get(path, **kw)
        except httpx.HTTPError as exc:
            raise Kildefeil(None, type(exc).__name__) from None
        if r.status_code == 429:
            raise ForMangeForesporsler(_retry_after(r))
        if r.status_code >= 500:
            raise Kildefeil(r.status_code, _feilkropp(r)[1])
        return r

    async def side(self, fra: int) -> Side | None:
        headers = {"If-None-Match": self._etag[fra]} if fra in self._etag else {}
        r = await self._get("hendelser/feed", params={"seq": fra}, headers=headers)
        if r.status_code == 304:
            return None
        if r.status_code == 406:
            kode, melding = _feilkropp(r)
            raise UtenforRetensjon(fra, kode, melding)
        if r.status_code != 200:
            kode, melding = _feilkropp(r)
            raise Kildefeil(r.status_code, f"{kode}: {melding}")
        try:
            body = r.json()
        except ValueError:
            raise Kildefeil(200, "feed-svaret er ikke JSON") from None
        side = les_side(fra, body)
        self._etag.clear()
        if etag := r.headers.get("ETag"):
            self._etag[fra] = etag
        return side

    async def persondokument(self, ident: str) -> Persondokument | None:
        r = await self._get(f"personer/{ident}")
        if r.status_code == 404:
            return None
        if r.status_code != 200:
            kode, melding = _feilkropp(r)
            raise Kildefeil(r.status_code, f"{kode}: {melding}")
        return les_persondokument(r.json())

    async def siste_sekvensnummer(self) -> int:
        r = await self._get("hendelser/siste/sekvensnummer")
        if r.status_code != 200:
            raise Kildefeil(r.status_code, _feilkropp(r)[1])
        return int(r.json())

    async def close(self) -> None:
        await self._http.aclose()
        if self._maskinporten is not None:
            await self._maskinporten.close()
