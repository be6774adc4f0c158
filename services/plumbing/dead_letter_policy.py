"""Poison messages go to the dead-letter topic, not into an endless loop.

Transient failures (the database or broker unreachable) are retried with capped backoff for as long as
they last: dead-lettering a valid message because PostgreSQL restarted would lose its effect. Any other
failure (a message that does not parse, a bug, a constraint) is retried a few times, then written to the
dead-letter topic with the error, and the original is acknowledged. If writing the dead letter fails, the
exception propagates and the message is redelivered (the broker uses NACK_ON_ERROR).
"""

from __future__ import annotations

import asyncio
import base64
import logging
from datetime import UTC, datetime
from typing import Any

import asyncpg
from faststream import BaseMiddleware
from faststream.kafka import KafkaBroker
from pydantic import ValidationError

from services.plumbing import metrics
from services.plumbing.kafka import TopicNames
from shared.events.dead_letter import DeadLetter

log = logging.getLogger(__name__)


def log_dead_lettered(record: Any, group_id: str | None, exc: BaseException) -> None:
    """Where the record was and what kind of error, never its value (it may hold personal data)."""
    log.error(
        "message dead-lettered",
        extra={
            "topic": record.topic,
            "partition": record.partition,
            "offset": record.offset,
            "group": group_id,
            "error_type": type(exc).__name__,
        },
    )


TRANSIENT: tuple[type[BaseException], ...] = (
    ConnectionError,
    TimeoutError,
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.TooManyConnectionsError,
    asyncpg.exceptions.OperatorInterventionError,  # PostgreSQL shutting down or starting, a cancelled query
)


def transient(exc: BaseException) -> bool:
    """An outage worth waiting out (the message is retried while it lasts), not a poison message or a bug.
    asyncpg's InterfaceError is both «connection is closed» / «pool is closing» (an outage) and misuse such as
    a wrong number of arguments (which no retry fixes: treating it as an outage would loop for ever)."""
    if isinstance(exc, TRANSIENT):
        return True
    return isinstance(exc, asyncpg.InterfaceError) and ("closed" in str(exc) or "closing" in str(exc))


def describe_error(exc: BaseException) -> str:
    """The error without input values: a ValidationError would otherwise echo personal identifiers."""
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_input=False))
    return f"{type(exc).__name__}: {exc}"[:2000]


def dead_letter_headers(original_topic: str) -> dict[str, str]:
    """The headers of a dead letter (the AsyncAPI documents describe them: services/plumbing/asyncapi.py)."""
    return {"content-type": "application/json", "event-type": "DeadLetter", "original-topic": original_topic}


def letter_for(record: Any, exc: BaseException, group_id: str) -> DeadLetter:
    """The dead letter of a Kafka record: where it came from, the error (without input values) and the body."""
    return DeadLetter(
        original_topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        key=record.key.decode(errors="replace") if record.key else None,
        consumer_group=group_id,
        error_type=type(exc).__name__,
        error=describe_error(exc),
        failed_at=datetime.now(UTC),
        payload_base64=base64.b64encode(record.value or b"").decode(),
        headers={k: v.decode(errors="replace") for k, v in (record.headers or ())},
    )


class DeadLetterPolicy:
    """Configured once per service; `middleware` is handed to the broker."""

    def __init__(
        self,
        *,
        group_id: str,
        service: str = "",
        names: TopicNames | None = None,
        attempts: int = 3,
        backoff: float = 0.2,
        max_backoff: float = 30.0,
    ) -> None:
        self.group_id = group_id
        self.service = service or group_id
        self.names = names or TopicNames()
        self.attempts = attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.broker: KafkaBroker | None = None
        self.dead_lettered = 0
        policy = self

        class _Middleware(BaseMiddleware):
            async def consume_scope(self, call_next: Any, msg: Any) -> Any:
                return await policy.consume(call_next, msg)

            async def after_processed(self, exc_type: Any = None, exc_val: Any = None, exc_tb: Any = None) -> bool:
                # Failures outside the handler (a body that is not JSON fails while parsing) land here.
                if exc_val is None or isinstance(exc_val, asyncio.CancelledError):
                    return False
                await policy.dead_letter(self.msg, exc_val)
                return True  # suppressed: the ack middleware outside us then commits the offset

        self.middleware = _Middleware

    async def consume(self, call_next: Any, msg: Any) -> Any:
        failures = 0
        delay = self.backoff
        while True:
            try:
                return await call_next(msg)
            except asyncio.CancelledError:
                raise
            except ValidationError as exc:
                await self.dead_letter(msg.raw_message, exc)  # retrying cannot make it parse
                return None
            except Exception as exc:  # noqa: BLE001 - retried, or dead-lettered after the last attempt
                if transient(exc):
                    log.warning("transient failure, retrying", extra={"error": describe_error(exc), "delay": delay})
                else:
                    failures += 1
                    if failures >= self.attempts:
                        await self.dead_letter(msg.raw_message, exc)
                        return None
                    log.warning("handler failed, retrying", extra={"error": describe_error(exc), "attempt": failures})
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.max_backoff)

    async def dead_letter(self, record: Any, exc: BaseException) -> None:
        if isinstance(record, (tuple, list)):  # a batch subscriber's raw message is its records
            for r in record:
                await self.dead_letter(r, exc)
            return
        assert self.broker is not None, "DeadLetterPolicy.broker must be set before consuming"
        letter = letter_for(record, exc, self.group_id)
        await self.broker.publish(
            letter.model_dump_json().encode(),
            topic=self.names.dead_letter,
            key=record.key,
            headers=dead_letter_headers(record.topic),
        )
        self.dead_lettered += 1
        metrics.DEAD_LETTERED.labels(self.service).inc()
        log_dead_lettered(record, self.group_id, exc)
