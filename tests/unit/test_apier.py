"""The web application's API client against a server that drops a kept-alive connection as it is reused — what
uvicorn's keep-alive timeout does at the wrong moment (httpx#2983; CI saw «NIR svarer ikke akkurat nå» from it).
A real socket server, no mocks: the first connection answers one request, then takes the next and closes."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from services.web.apier import Apier, Utilgjengelig

SVAR = b'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\n\r\n{"ok":true}'


async def _les_foresporsel(reader: asyncio.StreamReader) -> bytes:
    hode = await reader.readuntil(b"\r\n\r\n")
    lengde = next((int(x.split(b":")[1]) for x in hode.split(b"\r\n") if x.lower().startswith(b"content-length")), 0)
    return hode + (await reader.readexactly(lengde) if lengde else b"")


@pytest.fixture
async def server():
    mottatt: list[bytes] = []
    tilkoblinger = 0

    async def koble(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal tilkoblinger
        tilkoblinger += 1
        try:
            mottatt.append(await _les_foresporsel(reader))
            writer.write(SVAR)
            await writer.drain()
            if tilkoblinger == 1:
                mottatt.append(await _les_foresporsel(reader))  # the reused connection's request: no answer
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    srv = await asyncio.start_server(koble, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    async with srv, httpx.AsyncClient(timeout=5) as http:
        yield Apier(http, registrering_url=f"http://127.0.0.1:{port}", rapport_url="http://unused"), mottatt


async def test_a_read_is_sent_again_when_the_kept_alive_connection_breaks(server):
    apier, mottatt = server
    assert (await apier.registrering("t", "GET", "/a")).data == {"ok": True}
    svar = await apier.registrering("t", "GET", "/b")
    assert svar.ok and svar.data == {"ok": True}
    assert [m.split(b" ")[1] for m in mottatt] == [b"/a", b"/b", b"/b"]


async def test_a_write_under_its_idempotency_key_is_sent_again_with_the_same_key(server):
    apier, mottatt = server
    await apier.registrering("t", "GET", "/a")
    svar = await apier.registrering("t", "POST", "/skriv", json={"x": 1}, idempotency_key="k-1")
    assert svar.ok
    assert [m.split(b" ")[1] for m in mottatt] == [b"/a", b"/skriv", b"/skriv"]
    assert all(b"idempotency-key: k-1" in m.lower() for m in mottatt[1:])


async def test_a_write_without_a_key_is_never_repeated(server):
    apier, mottatt = server
    await apier.registrering("t", "GET", "/a")
    with pytest.raises(Utilgjengelig):
        await apier.registrering("t", "POST", "/skriv", json={"x": 1})
    assert [m.split(b" ")[1] for m in mottatt] == [b"/a", b"/skriv"]
