"""`tag N TOPIC` and the counts per topic in `stats`, which outlive the purge with no thread."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from sprechstunde_cli.errors import ExitCode
from tests.support.cli import Sp


def test_tagging_counts_each_thread_once_per_topic_and_survives_the_purge(
    hour_open: Sp, isolated: Path
) -> None:
    assert "Thread 1 counted under Verkehr." in hour_open("tag", "1", "Verkehr").stdout
    again = hour_open("tag", "1", "verkehr").stdout  # any case; the config's spelling
    assert "Thread 1 was already counted under Verkehr." in again
    hour_open("tag", "2", "Verkehr")
    hour_open("tag", "2", "Schule")

    figures = json.loads(hour_open("stats", "mittwoch", "--json").stdout)
    assert figures["topics"] == {"Schule": 1, "Verkehr": 2}
    lines = hour_open("stats", "mittwoch").stdout.splitlines()
    assert any(line.split() == ["topic", "Verkehr:", "2"] for line in lines)

    hour_open("close", "--purge")
    after = json.loads(hour_open("stats", "mittwoch", "--json").stdout)
    assert after["topics"] == {"Schule": 1, "Verkehr": 2}
    with sqlite3.connect(isolated / "data" / "sprechstunde.db") as db:
        assert db.execute("SELECT COUNT(*) FROM thread_topics").fetchone() == (0,)
        names = [r[0] for r in db.execute("SELECT name FROM counters WHERE name LIKE 'topic:%'")]
    assert sorted(names) == ["topic:Schule", "topic:Verkehr"]  # no thread in them


def test_an_unknown_topic_is_an_input_error_listing_the_allowed_ones(hour_open: Sp) -> None:
    result = hour_open("tag", "1", "Kultur", expect=int(ExitCode.USAGE))
    assert "'Kultur' is not one of the topics" in result.stderr
    assert "Verkehr, Schule, Bauen, Soziales, Sonstiges" in result.stderr
    assert "hour.topics" in result.stderr


def test_an_unknown_thread_is_not_found(hour_open: Sp) -> None:
    result = hour_open("tag", "99", "Verkehr", expect=int(ExitCode.NOT_FOUND))
    assert "no thread 99" in result.stderr


def test_the_office_names_its_own_topics(hour_open: Sp, config_file: Path) -> None:
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(
        text.replace("poll_seconds = 0.01", 'poll_seconds = 0.01\ntopics = ["Kita", "Müll"]'),
        encoding="utf-8",
    )
    hour_open("tag", "1", "müll")
    assert json.loads(hour_open("stats", "mittwoch", "--json").stdout)["topics"] == {"Müll": 1}
    result = hour_open("tag", "1", "Verkehr", expect=int(ExitCode.USAGE))
    assert "allowed: Kita, Müll" in result.stderr
