"""python -m services.folkeregister_adapter.simulator [--port 8090] [--seed 1] [--personer 1000] [--hendelser 5000]"""

from __future__ import annotations

import argparse
import os

import uvicorn

from services.folkeregister_adapter.simulator.register import Folkeregister
from services.folkeregister_adapter.simulator.server import create_app

p = argparse.ArgumentParser(prog="python -m services.folkeregister_adapter.simulator")
p.add_argument("--host", default=os.environ.get("HTTP_HOST", "127.0.0.1"))
p.add_argument("--port", type=int, default=int(os.environ.get("SIMULATOR_PORT", "8090")))
p.add_argument("--seed", type=int, default=int(os.environ.get("SIMULATOR_SEED", "1")))
p.add_argument("--personer", type=int, default=int(os.environ.get("SIMULATOR_PERSONER", "1000")))
p.add_argument("--hendelser", type=int, default=int(os.environ.get("SIMULATOR_HENDELSER", "5000")),
               help="hendelser generated at start (the demo's feed)")
a = p.parse_args()
register = Folkeregister(seed=a.seed, personer=a.personer)
register.generer(a.hendelser)
uvicorn.run(create_app(register), host=a.host, port=a.port, log_level="warning")
