"""A message a consumer could not process, as written to the dead-letter topic."""

from __future__ import annotations

from pydantic import Field

from shared.events.envelope import Contract
from shared.events.felttyper import Tidspunkt


class DeadLetter(Contract):
    original_topic: str
    partition: int
    offset: int
    key: str | None = Field(description="The original key (a deltaker id, never a personal identifier).")
    consumer_group: str
    error_type: str
    error: str = Field(description="What went wrong; never the message body.")
    failed_at: Tidspunkt
    payload_base64: str = Field(description="The original bytes, for re-publishing.")
    headers: dict[str, str] = Field(default_factory=dict)
