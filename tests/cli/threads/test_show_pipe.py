"""`show` into a pipe: the lines Rich printed, written without loading Rich's console; what the
plain lines cannot promise to match, Rich still prints."""

from __future__ import annotations

from pathlib import Path

from tests.cli.threads.busy_hour import _write, fill_busy_hour, golden
from tests.support.cli import Sp
from tests.support.clocks import FakeClock
from tests.support.startup import loaded, probe

RICH = ("rich.console", "rich.text", "rich.padding")


def test_show_into_a_pipe_prints_what_rich_printed_without_rich(
    tmp_path: Path, sp: Sp, config_file: Path, clock: FakeClock
) -> None:
    fill_busy_hour(sp, clock)
    # A fresh interpreter running the real entry point, its stdout a pipe: media labels, a body
    # padded to its widest line, the office's lines.
    run = probe(tmp_path, "show", "13")
    assert run.exit == 0, run.stderr
    assert run.stdout == golden("show-13.txt").read_text(encoding="utf-8")
    assert loaded(run, *RICH) == []


def test_a_line_too_long_to_promise_is_left_to_rich(
    tmp_path: Path, sp: Sp, config_file: Path, clock: FakeClock
) -> None:
    fill_busy_hour(sp, clock, threads=20)
    # 60,000 characters could take 120,000 cells: more than a pipe's console is wide, so only
    # Rich knows how it comes out (here: as one line, since these are all one cell wide).
    body = "Spielplatz " * 5_455
    _write(99, 1, "+49 170 0000012", body, clock.now())
    run = probe(tmp_path, "show", "13")
    assert run.exit == 0, run.stderr
    assert f"\n  {body}\n" in run.stdout
    assert loaded(run, *RICH) == list(RICH)
