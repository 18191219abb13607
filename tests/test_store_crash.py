"""kill -9 during writes: the store stays consistent and keeps every acknowledged revision."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select, text

from causemap.store import Store
from causemap.store.tables import incidents, revisions
from tests.test_store import incident

WRITER = """
import sys
from causemap.store import Store

store = Store.open(sys.argv[1])
record = store.get("crash")
doc, number = record.to_incident(), record.number
while True:
    doc = doc.model_copy(update={"summary": f"write {number + 1} " + "x" * 2000})
    record = store.update("crash", doc, expected=number)
    number = record.number
    print(number, record.digest, flush=True)
"""


def write_until_killed(url: str, delay: float) -> dict[int, str]:
    """Run a writer process, SIGKILL it after ``delay`` seconds; return its acks."""
    acks: dict[int, str] = {}
    command = [sys.executable, "-c", WRITER, url]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as writer:
        assert writer.stdout is not None
        while len(acks) < 5:  # wait until it is writing
            number, digest = writer.stdout.readline().split()
            acks[int(number)] = digest
        time.sleep(delay)
        os.kill(writer.pid, signal.SIGKILL)
        for line in writer.stdout:  # acks printed before the kill; a cut line is none
            if line.endswith("\n"):
                number, digest = line.split()
                acks[int(number)] = digest
        assert writer.wait() == -signal.SIGKILL
    return acks


def all_numbers(store: Store) -> list[int]:
    numbers: list[int] = []
    while page := store.revisions("crash", after=numbers[-1] if numbers else 0, limit=500):
        numbers += [r.number for r in page]
    return numbers


@pytest.mark.slow
def test_kill_9_during_writes_loses_no_acknowledged_revision(db_url: str) -> None:
    with Store.open(db_url) as store:
        store.create(incident("crash"))
    rng = random.Random(6)
    for _ in range(3):
        acks = write_until_killed(db_url, rng.uniform(0.05, 0.6))
        with Store.open(db_url) as store:
            latest = store.get("crash")
            assert latest.number >= max(acks)
            for number, digest in acks.items():
                assert store.revision("crash", number).digest == digest
            assert all_numbers(store) == list(range(1, latest.number + 1))
            with store.engine.connect() as connection:
                head = connection.execute(select(incidents.c.revision)).scalar_one()
                top = connection.execute(select(func.max(revisions.c.number))).scalar_one()
                assert head == top == latest.number
                if connection.dialect.name == "sqlite":
                    assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            assert latest.to_incident().summary is not None
            store.update("crash", latest.to_incident(), expected=latest.number)  # writable
