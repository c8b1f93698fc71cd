"""system/files.py: the one atomic write, private unless published."""

from __future__ import annotations

import errno
import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sprechstunde_cli.errors import InputError
from sprechstunde_cli.system import files
from sprechstunde_cli.system.files import (
    create_numbered,
    create_private,
    ensure_dir,
    private_dir,
    publish,
    touch_private,
    write_private,
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


@pytest.fixture(params=[0o022, 0o000, 0o077], ids=["umask-022", "umask-000", "umask-077"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    previous = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(previous)


# --- write_private ----------------------------------------------------------------------------


def test_write_private_gives_0600_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    target = tmp_path / "token.bin"
    write_private(target, b"geheim")
    assert target.read_bytes() == b"geheim"
    assert mode(target) == 0o600


def test_write_private_makes_a_replaced_file_private_again(tmp_path: Path, umask: int) -> None:
    target = tmp_path / "state.json"
    target.write_bytes(b"old")
    target.chmod(0o666)
    write_private(target, b"new")
    assert target.read_bytes() == b"new"
    assert mode(target) == 0o600
    assert leftovers(tmp_path) == []


def test_write_private_creates_each_missing_folder_0700(tmp_path: Path, umask: int) -> None:
    target = tmp_path / "a" / "b" / "c" / "file.txt"
    write_private(target, b"x")
    for folder in (tmp_path / "a", tmp_path / "a" / "b", tmp_path / "a" / "b" / "c"):
        assert mode(folder) == 0o700, folder
    assert mode(target) == 0o600


def test_write_private_never_chmods_an_existing_folder(tmp_path: Path, umask: int) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    open_one = tmp_path / "open"
    open_one.mkdir()
    open_one.chmod(0o777)
    write_private(shared / "new" / "file.txt", b"x")
    write_private(open_one / "file.txt", b"y")
    assert mode(shared) == 0o755
    assert mode(open_one) == 0o777
    assert mode(shared / "new") == 0o700


def test_ensure_dir_leaves_an_existing_folder_and_private_dir_tightens_it(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    folder.chmod(0o755)
    ensure_dir(folder)
    assert mode(folder) == 0o755
    private_dir(folder)
    assert mode(folder) == 0o700


def test_concurrent_writers_of_one_path_never_collide(tmp_path: Path) -> None:
    folder = tmp_path / "state"
    folder.mkdir()
    target = folder / "cursor.json"
    payloads = [f'{{"writer": {n}, "pad": "{"x" * (1000 + n)}"}}'.encode() for n in range(20)]
    start = threading.Barrier(len(payloads))
    errors: list[BaseException] = []

    def writer(data: bytes) -> None:
        try:
            start.wait()
            for _ in range(5):
                write_private(target, data)
        except BaseException as exc:  # a shared temp name would surface as an error here
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(p,)) for p in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert target.read_bytes() in payloads  # one whole payload, never a mix or a half
    assert mode(target) == 0o600
    assert [p.name for p in folder.iterdir()] == ["cursor.json"]  # no temp file left behind


# --- create_private ---------------------------------------------------------------------------


def test_create_private_writes_a_new_file_0600(tmp_path: Path, umask: int) -> None:
    target = tmp_path / "export.eml"
    create_private(target, b"Betreff: Anfrage")
    assert target.read_bytes() == b"Betreff: Anfrage"
    assert mode(target) == 0o600


def test_create_private_refuses_an_existing_file_and_leaves_it_untouched(tmp_path: Path) -> None:
    target = tmp_path / "export.eml"
    target.write_bytes(b"first")
    target.chmod(0o644)
    before = target.stat()
    with pytest.raises(FileExistsError):
        create_private(target, b"second")
    assert target.read_bytes() == b"first"
    after = target.stat()
    assert mode(target) == 0o644
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert leftovers(tmp_path) == []


def test_of_two_racing_creators_exactly_one_wins(tmp_path: Path) -> None:
    target = tmp_path / "claim"
    start = threading.Barrier(10)
    won: list[bytes] = []
    lost: list[bytes] = []
    errors: list[BaseException] = []

    def creator(data: bytes) -> None:
        start.wait()
        try:
            create_private(target, data)
            won.append(data)
        except FileExistsError:
            lost.append(data)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=creator, args=(bytes([65 + n]),)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(won) == 1 and len(lost) == 9
    assert target.read_bytes() == won[0]
    assert leftovers(tmp_path) == []


def test_create_private_needs_the_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        create_private(tmp_path / "missing" / "file", b"x")
    assert not (tmp_path / "missing").exists()


# --- create_numbered --------------------------------------------------------------------------


def test_create_numbered_picks_the_next_free_number(tmp_path: Path) -> None:
    first = create_numbered(tmp_path, "handoff-bauamt", ".eml", b"1")
    second = create_numbered(tmp_path, "handoff-bauamt", ".eml", b"2")
    third = create_numbered(tmp_path, "handoff-bauamt", ".eml", b"3")
    assert [first.name, second.name, third.name] == [
        "handoff-bauamt.eml",
        "handoff-bauamt-2.eml",
        "handoff-bauamt-3.eml",
    ]
    assert [p.read_bytes() for p in (first, second, third)] == [b"1", b"2", b"3"]
    assert {mode(p) for p in (first, second, third)} == {0o600}


def test_create_numbered_skips_taken_names_and_never_replaces(tmp_path: Path) -> None:
    (tmp_path / "export.csv").write_bytes(b"old")
    (tmp_path / "export-2.csv").write_bytes(b"old 2")
    made = create_numbered(tmp_path, "export", ".csv", b"new")
    assert made == tmp_path / "export-3.csv"
    assert (tmp_path / "export.csv").read_bytes() == b"old"
    assert (tmp_path / "export-2.csv").read_bytes() == b"old 2"
    assert made.read_bytes() == b"new"


# --- publish ----------------------------------------------------------------------------------


def test_publish_gives_a_new_file_0644_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    feed = tmp_path / "sprechstunde.ics"
    assert publish(feed, b"BEGIN:VCALENDAR") is True
    assert feed.read_bytes() == b"BEGIN:VCALENDAR"
    assert mode(feed) == 0o644


def test_publish_keeps_an_existing_files_mode(tmp_path: Path) -> None:
    feed = tmp_path / "sprechstunde.ics"
    feed.write_bytes(b"old")
    feed.chmod(0o640)
    assert publish(feed, b"new") is True
    assert feed.read_bytes() == b"new"
    assert mode(feed) == 0o640
    assert leftovers(tmp_path) == []


def test_publish_returns_false_when_unchanged_and_leaves_the_file(tmp_path: Path) -> None:
    feed = tmp_path / "snippet.html"
    publish(feed, b"<p>Mittwoch</p>")
    before = feed.stat()
    assert publish(feed, b"<p>Mittwoch</p>") is False
    after = feed.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_publish_asks_same_whether_the_content_changed(tmp_path: Path) -> None:
    feed = tmp_path / "sprechstunde.ics"
    publish(feed, b"DTSTAMP:1\nSUMMARY:Sprechstunde")

    def same(old: bytes, new: bytes) -> bool:
        return old.split(b"\n")[1:] == new.split(b"\n")[1:]  # the stamp alone is no change

    assert publish(feed, b"DTSTAMP:2\nSUMMARY:Sprechstunde", same) is False
    assert feed.read_bytes() == b"DTSTAMP:1\nSUMMARY:Sprechstunde"
    assert publish(feed, b"DTSTAMP:3\nSUMMARY:Abgesagt", same) is True
    assert feed.read_bytes() == b"DTSTAMP:3\nSUMMARY:Abgesagt"


def test_publish_names_the_path_when_its_folder_is_missing(tmp_path: Path) -> None:
    target = tmp_path / "www" / "sprechstunde.ics"
    with pytest.raises(InputError) as caught:
        publish(target, b"BEGIN:VCALENDAR")
    assert str(target) in caught.value.message
    assert caught.value.hint
    assert not (tmp_path / "www").exists()


def test_create_private_works_where_the_file_system_has_no_hard_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(src: object, dst: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(files.os, "link", no_links)
    folder = files.private_dir(tmp_path / "keys")
    target = folder / "session.key"
    files.create_private(target, b"k" * 32)
    assert target.read_bytes() == b"k" * 32
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    with pytest.raises(FileExistsError):
        files.create_private(target, b"other")
    assert target.read_bytes() == b"k" * 32
    assert [p.name for p in folder.iterdir()] == ["session.key"]  # no temp file left


# --- touch_private ----------------------------------------------------------------------------


def test_touch_private_creates_an_empty_0600_file_whatever_the_umask(
    tmp_path: Path, umask: int
) -> None:
    target = tmp_path / "store.db"
    touch_private(target)
    assert target.read_bytes() == b""
    assert mode(target) == 0o600


def test_touch_private_keeps_an_existing_files_content_and_makes_it_private(
    tmp_path: Path,
) -> None:
    target = tmp_path / "restored.db"
    target.write_bytes(b"SQLite format 3")
    target.chmod(0o644)
    touch_private(target)
    assert target.read_bytes() == b"SQLite format 3"
    assert mode(target) == 0o600
