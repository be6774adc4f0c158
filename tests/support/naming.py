"""Names for a test's topics, consumer groups and databases: unique, and recognisably this pytest session's,
so the session can delete the topics it created on a long-lived broker when it ends (tests/conftest.py)."""

from __future__ import annotations

import itertools
import uuid

SESSION = uuid.uuid4().hex[:8]
_next = itertools.count(1)


def run_id() -> str:
    """«<session><counter>», e.g. 3fa2c19b0007: unique within the session, and across sessions by SESSION."""
    return f"{SESSION}{next(_next):04x}"
