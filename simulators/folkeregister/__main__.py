"""python -m simulators.folkeregister [--port 8090] [--seed 1] [--personer 1000] [--hendelser 5000]
    [--maskinporten-klient ID --maskinporten-nokkel public.pem --maskinporten-kid KID [--maskinporten-levetid 120]]

With the Maskinporten options the simulator also serves POST /maskinporten/token and the API requires its tokens."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import uvicorn

from simulators.folkeregister.maskinporten import Klient, Maskinporten
from simulators.folkeregister.register import Folkeregister
from simulators.folkeregister.server import create_app

env = os.environ.get
p = argparse.ArgumentParser(prog="python -m simulators.folkeregister")
p.add_argument("--host", default=env("HTTP_HOST", "127.0.0.1"))
p.add_argument("--port", type=int, default=int(env("SIMULATOR_PORT", "8090")))
p.add_argument("--seed", type=int, default=int(env("SIMULATOR_SEED", "1")))
p.add_argument("--personer", type=int, default=int(env("SIMULATOR_PERSONER", "1000")))
p.add_argument(
    "--hendelser",
    type=int,
    default=int(env("SIMULATOR_HENDELSER", "5000")),
    help="hendelser generated at start (the demo's feed)",
)
p.add_argument(
    "--maskinporten-klient",
    default=env("SIMULATOR_MASKINPORTEN_KLIENT", ""),
    help="client_id allowed to fetch tokens; turns Maskinporten on",
)
p.add_argument(
    "--maskinporten-nokkel",
    type=Path,
    default=env("SIMULATOR_MASKINPORTEN_NOKKEL") or None,
    help="PEM file with the client's public key",
)
p.add_argument("--maskinporten-kid", default=env("SIMULATOR_MASKINPORTEN_KID", ""))
p.add_argument(
    "--maskinporten-utsteder",
    default=env("SIMULATOR_MASKINPORTEN_UTSTEDER", "https://test.maskinporten.no/"),
    help="the issuer identifier grants must name as aud",
)
p.add_argument(
    "--maskinporten-levetid",
    type=int,
    default=int(env("SIMULATOR_MASKINPORTEN_LEVETID", "120")),
    help="access token lifetime, seconds",
)
a = p.parse_args()
maskinporten = None
if a.maskinporten_klient:
    if a.maskinporten_nokkel is None or not a.maskinporten_kid:
        p.error("--maskinporten-klient needs --maskinporten-nokkel and --maskinporten-kid")
    maskinporten = Maskinporten(
        [Klient(a.maskinporten_klient, {a.maskinporten_kid: a.maskinporten_nokkel.read_text()})],
        utsteder=a.maskinporten_utsteder,
        levetid=a.maskinporten_levetid,
    )
register = Folkeregister(seed=a.seed, personer=a.personer)
register.generer(a.hendelser)
uvicorn.run(create_app(register, maskinporten), host=a.host, port=a.port, log_level="warning")
