"""A citizen's file over hour.max_media_mb: the citizen is told once, in German, in words the
office can change; the operator sees the size in MB, never a raw byte count."""

from __future__ import annotations

import os
from pathlib import Path

from tests.support.cli import Sp, inbox_texts
from tests.support.clocks import FakeClock


def _limit(config_file: Path, extra: str = "") -> None:
    text = config_file.read_text(encoding="utf-8")
    text = text.replace("poll_seconds = 0.01", "poll_seconds = 0.01\nmax_media_mb = 0.1")
    config_file.write_text(text + extra, encoding="utf-8")


def test_an_oversized_file_is_refused_the_citizen_told_and_the_operator_sees_mb(
    sp: Sp, config_file: Path, clock: FakeClock, tmp_path: Path
) -> None:
    _limit(config_file)
    big = tmp_path / "plan.bin"
    big.write_bytes(os.urandom(200_000))  # 0.19 MB, over the 0.1 MB limit
    sp("open", "--once")
    sp("sandbox", "send", "--from", "c1", "--file", str(big), "Der Bauplan")
    sp("sandbox", "send", "--from", "c1", "Und noch eine Frage")
    report = sp("open", "--once", "--plain")
    seen = report.stdout + report.stderr
    assert "The file (0.2 MB) is larger than the limit of 0.1 MB." in seen
    assert "200000" not in seen and "bytes" not in seen

    told = [t for t in inbox_texts(sp, "c1") if "zu groß" in t]
    assert told == [
        "Ihre Datei ist leider zu groß; wir können Dateien bis 0.1 MB annehmen. Bitte "
        "senden Sie ein kleineres Foto oder beschreiben Sie Ihr Anliegen im Text."
    ]
    sp("open", "--once")  # a later pass does not tell them again
    assert len([t for t in inbox_texts(sp, "c1") if "zu groß" in t]) == 1

    shown = sp("show", "1").stdout
    assert "Der Bauplan" in shown
    assert "[Datei zu groß (0.2 MB), nicht übernommen]" in shown
    assert sp("media", "1").stdout.strip() == "Thread 1 has no attachments."


def test_the_too_large_text_is_the_office_s_own(
    sp: Sp, config_file: Path, clock: FakeClock, tmp_path: Path
) -> None:
    _limit(config_file, '\n[texts]\nmedia_too_large = "Zu groß, bitte bis {max_mb} MB."\n')
    big = tmp_path / "foto.bin"
    big.write_bytes(os.urandom(150_000))
    sp("open", "--once")
    sp("sandbox", "send", "--from", "c2", "--file", str(big))
    sp("open", "--once")
    assert "Zu groß, bitte bis 0.1 MB." in inbox_texts(sp, "c2")
