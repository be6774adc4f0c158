"""No fødselsnummer or DUF-nummer in logs (issue #3 «Security»; services/plumbing/logs.py): every record
written while requests succeed and fail, formatted as the service writes it (JSON with extras), is searched.

The service's own logging configuration is applied (logs.configure) at its most verbose level, DEBUG: that
configuration keeps aiokafka at WARNING, because aiokafka's DEBUG lines print whole message values (they
carry the identity snapshots). Without it this test fails, which is the point of running it."""

from __future__ import annotations

import logging

import pytest

from services.plumbing.logs import JsonFormatter, configure
from tests.registrering.conftest import fodselsnummer, person

pytestmark = pytest.mark.integration


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.formatter_ = JsonFormatter("registrering")

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.formatter_.format(record))


async def test_no_fodselsnummer_or_duf_nummer_in_logs(registrering):
    r = registrering
    handler = _Collect()
    root = logging.getLogger()
    saved_handlers, old_level = root.handlers[:], root.level
    names = ("aiokafka", "faststream", "uvicorn", "uvicorn.error", "uvicorn.access")
    saved = {
        n: (
            logging.getLogger(n).level,
            logging.getLogger(n).handlers[:],
            logging.getLogger(n).propagate,
            logging.getLogger(n).disabled,
        )
        for n in names
    }
    configure("registrering", "DEBUG")
    root.addHandler(handler)
    try:
        body = person()
        h = r.token()
        resp = await r.client.post("/api/v1/deltakere", json=body, headers=h)
        assert resp.status_code == 201
        did = resp.json()["deltaker_id"]
        await r.client.post("/api/v1/deltakere", json=body, headers=h)  # 409 duplicate
        bad_fnr = body["fodselsnummer"][:-1] + str((int(body["fodselsnummer"][-1]) + 1) % 10)
        await r.client.post("/api/v1/deltakere", json={**body, "fodselsnummer": bad_fnr}, headers=h)  # 422
        new_fnr = fodselsnummer()
        await r.client.post(f"/api/v1/deltakere/{did}/identitet", json={"fodselsnummer": new_fnr}, headers=h)
        await r.client.get(f"/api/v1/deltakere/{did}", headers=h)
        await r.client.post(
            f"/api/v1/deltakere/{did}/avslutninger",
            headers=h,
            json={"arsak": "GRUNNSKOLE", "avslutningsdato": "2023-01-01"},
        )
        await r.runtime.relay.publish_pending()  # the relay's own logging too
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(old_level)
        for n, (level, handlers, propagate, disabled) in saved.items():
            lg = logging.getLogger(n)
            lg.setLevel(level)
            lg.handlers[:] = handlers
            lg.propagate, lg.disabled = propagate, disabled
    assert handler.lines, "expected the service to log something (deltaker registrert)"
    assert any(did in line for line in handler.lines)
    for ident in (body["duf_nummer"], body["fodselsnummer"], bad_fnr, new_fnr):
        assert not [line for line in handler.lines if ident in line], ident


async def test_an_unexpected_error_is_a_json_500_and_its_message_is_not_logged(registrering, monkeypatch, caplog):
    from services.registrering.api import avslutning

    async def broken(*_args, **_kwargs):
        raise RuntimeError("duplicate key (duf_nummer)=(202312345678)")

    r = registrering
    did = (await r.client.post("/api/v1/deltakere", json=person(), headers=r.token())).json()["deltaker_id"]
    monkeypatch.setattr(avslutning, "hent_program", broken)
    caplog.set_level(logging.INFO)
    resp = await r.client.get(f"/api/v1/deltakere/{did}/avslutninger", headers=r.token())
    assert resp.status_code == 500 and resp.json()["kode"] == "INTERN_FEIL" and resp.json()["detail"] == "intern feil"
    assert "202312345678" not in caplog.text
    assert any(getattr(rec, "feil", None) == "RuntimeError" for rec in caplog.records)
