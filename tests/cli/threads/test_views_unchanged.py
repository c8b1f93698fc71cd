"""Every view shows exactly what it showed before the speed work: the output of `threads`,
`threads --json`, `show` and a live-view frame, compared with the files in golden/ (recorded
from the rendering before it was made faster)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from rich.console import Console

from sprechstunde_cli.render.console import Redacted, make_console
from sprechstunde_cli.render.formats import zone
from sprechstunde_cli.render.messages import thread_view
from sprechstunde_cli.render.threads import live_room, live_view, threads_table
from sprechstunde_cli.services.current import current_session
from sprechstunde_cli.services.reading import read_thread
from sprechstunde_cli.services.threads import thread_list, thread_page
from sprechstunde_cli.store import Store
from sprechstunde_cli.system.paths import resolve_paths
from tests.cli.threads.busy_hour import fill_busy_hour, golden
from tests.support.cli import Sp
from tests.support.clocks import FakeClock


@pytest.fixture
def busy(sp: Sp, config_file: Path, clock: FakeClock) -> Sp:
    fill_busy_hour(sp, clock)
    return sp


def same(name: str, text: str) -> None:
    # A deliberate change of a view is recorded anew with RECORD_GOLDEN=1, then read in the diff.
    if os.environ.get("RECORD_GOLDEN") == "1":
        golden(name).write_text(text, encoding="utf-8")
    assert text == golden(name).read_text(encoding="utf-8"), name


@pytest.mark.parametrize("columns", [100, 60])
def test_threads_prints_what_it_printed(
    busy: Sp, columns: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    same(f"threads-{columns}.txt", busy("threads").stdout)


def test_threads_json_prints_what_it_printed(busy: Sp) -> None:
    same("threads.jsonl", busy("threads", "--json").stdout)


def test_show_prints_what_it_printed(busy: Sp) -> None:
    # Not a terminal: the plain lines (render/message_lines.py).
    same("show-6.txt", busy("show", "6").stdout)
    same("show-13.txt", busy("show", "13").stdout)


@pytest.mark.parametrize("number", [6, 13])
def test_show_through_rich_prints_the_same(busy: Sp, number: int) -> None:
    # Where Rich prints `show` (a terminal, or what the plain lines leave to it), the same text.
    paths = resolve_paths()
    store = Store.open(paths.store_file, paths.key_dir)
    try:
        session = current_session(store, None)
        view = read_thread(store, session, number)
    finally:
        store.close()
    tz = zone(session.timezone)
    sink = io.StringIO()
    make_console(file=sink).print(
        thread_view(view.number, view.citizen, view.messages, tz=tz, left=view.left)
    )
    same(f"show-{number}.txt", sink.getvalue())


@pytest.mark.parametrize("height", [30, 8])
def test_a_live_frame_shows_what_it_showed(busy: Sp, clock: FakeClock, height: int) -> None:
    paths = resolve_paths()
    store = Store.open(paths.store_file, paths.key_dir)
    try:
        session = current_session(store, None)
        # What `open` shows now: the page of the threads that fit, from the store.
        page = thread_page(store, session, live_room(height))
        assert len(page.rows) <= live_room(height) < page.total
        frame = live_view(
            session, page, now=clock.now(), status=Redacted("12:00 status"), height=height
        )
    finally:
        store.close()
    sink = io.StringIO()
    make_console(file=sink, width=100).print(frame)
    same(f"live-{height}.txt", sink.getvalue())


def test_the_styled_thread_table_is_what_it_was(busy: Sp, clock: FakeClock) -> None:
    # A terminal gets the table with its styles (bold, dim): the same escape codes as before.
    paths = resolve_paths()
    store = Store.open(paths.store_file, paths.key_dir)
    try:
        session = current_session(store, None)
        rows = thread_list(store, session)
    finally:
        store.close()
    sink = io.StringIO()
    console = Console(file=sink, width=100, force_terminal=True, color_system="standard")
    console.print(threads_table(rows, now=clock.now(), tz=zone(session.timezone)))
    same("threads-styled.txt", sink.getvalue())


def test_tail_prints_what_it_printed(busy: Sp) -> None:
    same("tail.txt", busy("tail", "--once", "-n", "200").stdout)
