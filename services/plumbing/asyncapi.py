"""Export every service's AsyncAPI document for operators: python -m services.plumbing.asyncapi [DIR]

Each running service also serves its own at /asyncapi.json. Default DIR: docs/asyncapi/.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

from services.plumbing.runtime import asyncapi_document
from shared.settings import ALL_SETTINGS

OUT = Path(__file__).resolve().parents[2] / "docs" / "asyncapi"


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else OUT
    out.mkdir(parents=True, exist_ok=True)
    for settings_cls in ALL_SETTINGS:
        app = importlib.import_module(f"services.{settings_cls.SERVICE}.app").create_app(settings_cls())
        doc = json.loads(asyncapi_document(app.state.runtime))
        (out / f"{settings_cls.SERVICE}.asyncapi.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        print(f"{settings_cls.SERVICE}: {len(doc.get('channels', {}))} channels")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
