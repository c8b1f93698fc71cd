"""system/given.py `read_given`: the one reader of a file the operator names (an attachment).

Real files, a real FIFO, a real socket, /dev/zero, a sparse file, /proc and real links; HOME is
the test's own folder (tests/conftest.py), so "inside the home folder" is under our control.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sprechstunde_cli.errors import ExitCode, InputError
from sprechstunde_cli.system import given
from sprechstunde_cli.system.given import read_given

LIMIT = 1024 * 1024
# What a reader that hangs or fills the memory would do long before this.
HANG_GUARD_S = 10.0


@pytest.fixture
def home() -> Path:
    return Path.home()


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder outside the home folder (tests/conftest.py puts HOME at tmp_path/home)."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


@pytest.fixture
def bytes_read(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Every os.read while the test runs, by size: what the reader really pulled in."""
    counts: list[int] = []
    real = os.read

    def counting(fd: int, n: int) -> bytes:
        data = real(fd, n)
        counts.append(len(data))
        return data

    monkeypatch.setattr(given.os, "read", counting)
    yield counts


def refused(path: Path, **options: bool) -> InputError:
    with pytest.raises(InputError) as info:
        read_given(path, LIMIT, **options)
    assert info.value.exit_code is ExitCode.USAGE
    assert str(path) in info.value.message  # names the file
    assert info.value.hint  # and says what to do
    return info.value


def within_guard(job: Callable[[], object], release: Callable[[], None]) -> object:
    """Run `job` in a thread; if it has not ended after HANG_GUARD_S, `release` it and fail:
    a regression fails the test instead of hanging the suite."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(job())
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(HANG_GUARD_S)
    if worker.is_alive():
        release()
        worker.join(HANG_GUARD_S)
        pytest.fail(f"the reader hung for {HANG_GUARD_S} s")
    return outcome[0]


# --- ordinary files ----------------------------------------------------------------------------


def test_an_ordinary_file_up_to_the_limit_is_read_whole(home: Path) -> None:
    data = os.urandom(LIMIT)
    photo = home / "plan.bin"
    photo.write_bytes(data)
    assert read_given(photo, LIMIT) == data
    empty = home / "leer.txt"
    empty.write_bytes(b"")
    assert read_given(empty, LIMIT) == b""


def test_a_file_outside_the_home_folder_named_directly_is_read(outside: Path) -> None:
    # Only links are judged by where they lead: a name the operator typed is their choice.
    photo = outside / "plan.bin"
    photo.write_bytes(b"plan")
    assert read_given(photo, LIMIT) == b"plan"
    assert read_given(outside / ".." / "elsewhere" / "plan.bin", LIMIT) == b"plan"


def test_a_file_over_the_limit_is_refused_before_a_byte_is_read(
    home: Path, bytes_read: list[int]
) -> None:
    big = home / "gross.bin"
    big.write_bytes(b"x" * (LIMIT + 1))
    err = refused(big)
    assert "over the limit of 1.0 MB" in err.message
    assert bytes_read == []
    with pytest.raises(InputError) as info:
        read_given(big, LIMIT, limit_hint="Raise hour.max_media_mb.")
    assert info.value.hint == "Raise hour.max_media_mb."


def test_a_sparse_file_larger_than_the_limit_is_refused_without_reading(
    home: Path, bytes_read: list[int]
) -> None:
    sparse = home / "sparse.bin"
    with sparse.open("wb") as handle:
        handle.truncate(4 * 1024**3)  # 4 GiB that take no disk space
    err = refused(sparse)
    assert "4096.0 MB, over the limit" in err.message
    assert bytes_read == []


def test_a_file_that_says_it_is_small_is_read_no_further_than_the_limit_plus_one(
    bytes_read: list[int],
) -> None:
    # /proc files report a size of 0 and then deliver their content: the size check passes,
    # the bounded read must stop at limit + 1 bytes.
    maps = Path(f"/proc/{os.getpid()}/maps")
    assert maps.stat().st_size == 0 and len(maps.read_bytes()) > 200
    bytes_read.clear()
    with pytest.raises(InputError) as info:
        read_given(maps, 100, follow_symlinks=True)
    assert "larger than the limit" in info.value.message
    assert sum(bytes_read) == 101
    whole = read_given(maps, 10 * LIMIT, follow_symlinks=True)
    assert len(whole) > 200 and b"\n" in whole


def test_the_read_is_in_bounded_pieces(home: Path, bytes_read: list[int]) -> None:
    data = os.urandom(3 * given.READ_CHUNK + 5)
    big = home / "drei.bin"
    big.write_bytes(data)
    assert read_given(big, len(data)) == data
    assert max(bytes_read) <= given.READ_CHUNK
    assert sum(bytes_read) == len(data)


# --- not a file --------------------------------------------------------------------------------


def test_dev_zero_is_refused_without_reading(bytes_read: list[int]) -> None:
    err = refused(Path("/dev/zero"))
    assert "not an ordinary file" in err.message
    assert bytes_read == []


def test_a_fifo_is_refused_at_once_instead_of_waiting_for_a_writer(home: Path) -> None:
    fifo = home / "pipe.jpg"
    os.mkfifo(fifo)

    def release() -> None:
        # Opening the other end lets a blocked open() return.
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))

    outcome = within_guard(lambda: read_given(fifo, LIMIT), release)
    assert isinstance(outcome, InputError), outcome
    assert "not an ordinary file" in outcome.message and str(fifo) in outcome.message


def test_a_socket_is_refused(home: Path) -> None:
    path = home / "s.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(path))
        err = refused(path)
    finally:
        server.close()
    assert "not an ordinary file" in err.message


def test_a_folder_is_refused(home: Path) -> None:
    folder = home / "Fotos"
    folder.mkdir()
    err = refused(folder)
    assert "is a folder" in err.message
    assert "Attach one file" in err.hint


def test_a_missing_file_is_named(home: Path) -> None:
    err = refused(home / "fehlt.png")
    assert "There is no file" in err.message


# --- links -------------------------------------------------------------------------------------


def test_a_link_out_of_the_home_folder_is_refused(home: Path, bytes_read: list[int]) -> None:
    link = home / "foto.jpg"
    link.symlink_to("/etc/passwd")
    err = refused(link)
    assert "/etc/passwd" in err.message and "outside your home folder" in err.message
    assert "Copy the file into your home folder and attach the copy" in err.hint
    assert "--follow-symlinks" in err.hint
    assert bytes_read == []


def test_a_link_through_a_linked_folder_out_of_home_is_refused(home: Path, outside: Path) -> None:
    (outside / "geheim.txt").write_bytes(b"geheim")
    (home / "Bilder").symlink_to(outside)
    err = refused(home / "Bilder" / "geheim.txt")
    assert "outside your home folder" in err.message


def test_links_that_stay_in_the_home_folder_are_followed(home: Path, outside: Path) -> None:
    photo = home / "Fotos" / "plan.png"
    photo.parent.mkdir()
    photo.write_bytes(b"plan")
    (home / "neu.png").symlink_to(photo)
    (outside / "von-aussen.png").symlink_to(photo)  # a link from elsewhere *into* home
    assert read_given(home / "neu.png", LIMIT) == b"plan"
    assert read_given(outside / "von-aussen.png", LIMIT) == b"plan"


def test_follow_symlinks_reads_a_link_out_of_home(home: Path, outside: Path) -> None:
    target = outside / "plan.png"
    target.write_bytes(b"plan")
    link = home / "plan.png"
    link.symlink_to(target)
    refused(link)
    assert read_given(link, LIMIT, follow_symlinks=True) == b"plan"


def test_follow_symlinks_still_refuses_what_is_not_a_file(home: Path) -> None:
    fifo = home / "pipe"
    os.mkfifo(fifo)
    link = home / "foto.png"
    link.symlink_to(fifo)
    zero = home / "null.png"
    zero.symlink_to("/dev/zero")

    def release() -> None:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))

    outcome = within_guard(lambda: read_given(link, LIMIT, follow_symlinks=True), release)
    assert isinstance(outcome, InputError) and "not an ordinary file" in outcome.message
    assert "not an ordinary file" in refused(zero, follow_symlinks=True).message


def test_links_in_a_circle_are_refused(home: Path) -> None:
    (home / "a").symlink_to(home / "b")
    (home / "b").symlink_to(home / "a")
    err = refused(home / "a", follow_symlinks=True)
    assert "cannot be followed" in err.message


def test_links_the_system_set_up_do_not_count(home: Path) -> None:
    # Debian's /bin → usr/bin and /bin/sh → dash (macOS: /tmp → /private/tmp): root's links
    # outside the home folder, which the operator did not make and cannot be tricked with.
    sh = Path("/bin/sh")
    assert sh.is_symlink() or Path("/bin").is_symlink()
    assert read_given(sh, 64 * LIMIT * 1024).startswith(b"\x7fELF")


def test_a_link_followed_by_dot_dot_is_walked_as_the_system_walks_it(
    home: Path, outside: Path
) -> None:
    # "Bilder/.." is the folder above the link's target, not the home folder: by the letter
    # the path stays at home, in truth it leaves it.
    (outside / "tief").mkdir()
    (outside / "geheim.txt").write_bytes(b"geheim")
    (home / "Bilder").symlink_to(outside / "tief")
    (home / "geheim.txt").write_bytes(b"harmlos")

    err = refused(home / "Bilder" / ".." / "geheim.txt")

    assert f"through the link {home / 'Bilder'}" in err.message


def test_a_folder_swapped_for_a_link_while_opening_is_caught(
    home: Path, outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (home / "Fotos").mkdir()
    (home / "Fotos" / "plan.png").write_bytes(b"plan")
    (outside / "plan.png").write_bytes(b"geheim")
    real_open = os.open

    def swapping_open(path: object, flags: int, *args: int) -> int:
        # The race: after the path was checked, before it is opened, a folder on it becomes a
        # link out of the home folder.
        if Path(str(path)).name == "plan.png" and not (home / "Fotos").is_symlink():
            (home / "Fotos").rename(home / "Fotos-alt")
            (home / "Fotos").symlink_to(outside)
        return real_open(path, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(given.os, "open", swapping_open)

    err = refused(home / "Fotos" / "plan.png")

    assert "changed while it was being opened" in err.message
