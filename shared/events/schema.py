"""Export the contracts as JSON Schema files operators can read: one per topic, plus the dead letter.

python -m shared.events.schema            # writes docs/contracts/
python -m shared.events.schema --check    # exits 1 if the files are not what the models say
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import TypeAdapter

from shared.events import topics

OUT = Path(__file__).resolve().parents[2] / "docs" / "contracts"


def documents() -> dict[str, str]:
    docs: dict[str, str] = {}
    for t in topics.ALL:
        schema = t.adapter().json_schema()
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"urn:nir-avslutning:topic:{t.name}",
            "title": t.name,
            "description": f"{t.description} Producer: {t.producer}. Key: {t.key}. Partitions: {t.partitions}.",
            **schema,
        }
        docs[f"{t.name}.schema.json"] = json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    dead = TypeAdapter(topics.DEAD_LETTER_MODEL).json_schema()
    dead = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": topics.DEAD_LETTER_NAME, **dead}
    docs[f"{topics.DEAD_LETTER_NAME}.schema.json"] = (
        json.dumps(dead, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    )
    return docs


def main(argv: list[str]) -> int:
    docs = documents()
    if "--check" in argv:
        stale = [n for n, text in docs.items() if not (OUT / n).exists() or (OUT / n).read_text() != text]
        extra = sorted({p.name for p in OUT.glob("*.json")} - set(docs))
        for n in stale + extra:
            print(f"out of date: docs/contracts/{n}")
        return 1 if stale or extra else 0
    OUT.mkdir(parents=True, exist_ok=True)
    for n, text in docs.items():
        (OUT / n).write_text(text)
    print(f"wrote {len(docs)} schemas to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
