"""Operators' dead-letter tool: list, inspect and re-publish dead-lettered messages.

    python -m services.plumbing.dead_letter_cli list
    python -m services.plumbing.dead_letter_cli show OFFSET
    python -m services.plumbing.dead_letter_cli republish OFFSET [OFFSET …]

Reads KAFKA_BOOTSTRAP_SERVERS and TOPIC_PREFIX like the services. It reads the dead-letter topic without a
consumer group (nothing is committed, so listing changes nothing). Re-publishing sends the original bytes
with the original key and headers to the original topic; consumers are idempotent by event_id, so
re-publishing twice is harmless. `show` prints the message body, which may hold personal data: it is for
an operator's terminal, never for logs.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import sys
from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition

from services.plumbing.kafka import TopicNames
from shared.events.dead_letter import DeadLetter


async def read_all(bootstrap: str, topic: str) -> list[tuple[int, DeadLetter]]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics([topic])
    finally:
        await admin.close()
    partitions = [p["partition"] for t in described if t.get("error_code", 0) == 0 for p in t["partitions"]]
    if not partitions:
        return []
    tps = [TopicPartition(topic, p) for p in sorted(partitions)]
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        end = await consumer.end_offsets(tps)
        letters: list[tuple[int, DeadLetter]] = []
        while [tp for tp in tps if await consumer.position(tp) < end[tp]]:
            batch = await consumer.getmany(timeout_ms=1000)
            for records in batch.values():
                letters += [(r.offset, DeadLetter.model_validate_json(r.value)) for r in records]
        return sorted(letters, key=lambda x: x[0])
    finally:
        await _stop(consumer)


async def _stop(consumer: AIOKafkaConsumer) -> None:
    # aiokafka 0.14: stopping a consumer without a group awaits its own cancelled internal task and lets
    # that CancelledError escape. Swallow it unless it is our own task that is being cancelled.
    try:
        await consumer.stop()
    except asyncio.CancelledError:
        if asyncio.current_task().cancelling():  # type: ignore[union-attr]
            raise


async def republish(bootstrap: str, letters: Sequence[DeadLetter]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        for letter in letters:
            headers = [(k, v.encode()) for k, v in letter.headers.items()]
            headers.append(("republished-from-dead-letter", f"{letter.partition}:{letter.offset}".encode()))
            await producer.send_and_wait(
                letter.original_topic,
                base64.b64decode(letter.payload_base64),
                key=letter.key.encode() if letter.key else None,
                headers=headers,
            )
    finally:
        await producer.stop()


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m services.plumbing.dead_letter_cli", description=__doc__.split("\n")[0])
    p.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092"))
    p.add_argument("--prefix", default=os.environ.get("TOPIC_PREFIX", ""))
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("list", help="one line per dead letter")
    s = sub.add_parser("show", help="everything about one dead letter, body included")
    s.add_argument("offset", type=int)
    r = sub.add_parser("republish", help="send dead letters back to their original topics")
    r.add_argument("offsets", type=int, nargs="+")
    a = p.parse_args(argv)

    topic = TopicNames(a.prefix).dead_letter
    letters = dict(asyncio.run(read_all(a.bootstrap, topic)))
    if a.cmd == "list":
        print(f"{'offset':>7}  {'failed_at':<25} {'group':<28} {'original':<40} error")
        for off, d in letters.items():
            print(
                f"{off:>7}  {d.failed_at.isoformat(timespec='seconds'):<25} {d.consumer_group:<28} "
                f"{d.original_topic}[{d.partition}]@{d.offset:<10} {d.error_type}: {d.error[:80]}"
            )
        print(f"{len(letters)} dead letter(s) in {topic}")
        return 0
    wanted = [a.offset] if a.cmd == "show" else a.offsets
    missing = [o for o in wanted if o not in letters]
    if missing:
        print(f"no dead letter at offset(s) {missing} in {topic}", file=sys.stderr)
        return 1
    if a.cmd == "show":
        d = letters[a.offset]
        body = base64.b64decode(d.payload_base64)
        try:
            body_text = json.dumps(json.loads(body), indent=2, ensure_ascii=False)
        except ValueError:
            body_text = repr(body)
        print(json.dumps(d.model_dump(mode="json", exclude={"payload_base64"}), indent=2, ensure_ascii=False))
        print("body:")
        print(body_text)
        return 0
    asyncio.run(republish(a.bootstrap, [letters[o] for o in wanted]))
    print(f"re-published {len(wanted)} message(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
