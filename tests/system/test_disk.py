"""A full disk or a folder that cannot be written: the words, and the one file write under it."""

from __future__ import annotations

import errno
import logging
import os
from pathlib import Path

import pytest

from sprechstunde_cli.errors import DiskFullError, ExitCode, ReadOnlyError
from sprechstunde_cli.system import disk, log_file
from sprechstunde_cli.system.files import write_private
from tests.support.disk import DEV_FULL, DiskOfSize

GB = 2**30


def test_a_full_disk_names_the_folder_what_is_free_and_what_to_free() -> None:
    err = disk.no_room(Path("/srv/sprechstunde"), 300 * 2**10)
    assert err.exit_code is ExitCode.NO_SPACE
    assert err.message == (
        "The disk holding /srv/sprechstunde is full: 0.3 MB free; nothing new could be saved."
    )
    assert err.hint == (
        "Free at least 100 MB on that disk (delete or move other files there), then run the "
        "command again."
    )
    # For `open`, which tries again by itself: the same fix, without the restart.
    assert err.fix == "Free at least 100 MB on that disk (delete or move other files there)."


def test_a_write_bigger_than_the_usual_room_asks_for_that_much() -> None:
    err = disk.no_room(Path("/srv/s"), 0, needed=300 * 2**20)
    assert "0.0 MB free" in err.message
    assert "Free at least 300 MB on that disk" in err.hint


def test_no_room_on_a_disk_with_room_points_at_a_quota_not_at_deleting_files() -> None:
    err = disk.no_room(Path("/home/amt/daten"), 12 * GB + GB // 2)
    assert err.message == (
        "There is no room to write in /home/amt/daten, though the disk reports 12.5 GB free "
        "(a quota or a size limit?); nothing new could be saved."
    )
    assert err.hint == (
        "Ask whoever runs this computer for at least 100 MB more room there, or move the data "
        "dir (SPRECHSTUNDE_DATA_DIR); then run the command again."
    )
    # Moving the data dir would need `open` restarted: while it runs, only the room helps.
    assert err.fix == "Ask whoever runs this computer for at least 100 MB more room there."


def test_free_space_is_read_from_the_nearest_folder_that_exists(tmp_path: Path) -> None:
    free = disk.free_bytes(tmp_path / "not" / "yet")
    assert free is not None and free > 0
    assert disk.amount(5 * 2**20) == "5.0 MB" and disk.amount(512 * 2**20) == "512 MB"
    assert disk.amount(3 * GB) == "3.0 GB"


@pytest.mark.parametrize(
    ("code", "kind", "words"),
    [
        (errno.ENOSPC, DiskFullError, "nothing new could be saved"),
        (errno.EDQUOT, DiskFullError, "nothing new could be saved"),
        (errno.EROFS, ReadOnlyError, "(the disk is mounted read-only)"),
        (errno.EACCES, ReadOnlyError, "(permission denied)"),
        (errno.EPERM, ReadOnlyError, "(permission denied)"),
    ],
)
def test_what_the_kernel_refused_becomes_its_error(
    tmp_path: Path, code: int, kind: type, words: str
) -> None:
    problem = disk.explain(OSError(code, os.strerror(code)), tmp_path)
    assert isinstance(problem, kind)
    assert str(tmp_path) in problem.message and words in problem.message
    assert problem.hint.endswith("run the command again.")
    assert problem.fix and "run the command" not in problem.fix


def test_any_other_os_error_is_left_alone(tmp_path: Path) -> None:
    assert disk.explain(FileNotFoundError(errno.ENOENT, "gone"), tmp_path) is None
    with pytest.raises(FileExistsError), disk.named(tmp_path):
        raise FileExistsError(errno.EEXIST, "exists")
    with pytest.raises(PermissionError), disk.named(tmp_path, writable=False):
        raise PermissionError(errno.EACCES, "caller words it")


def test_a_private_write_on_a_full_disk_keeps_the_old_file_and_leaves_no_temp_file(
    tmp_path: Path,
) -> None:
    target = tmp_path / "media" / "a.png"
    write_private(target, b"old")
    with pytest.raises(DiskFullError) as err:
        write_private(target, b"new" * 1000, sink=DiskOfSize(room=0))
    assert str(tmp_path / "media") in err.value.message
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in (tmp_path / "media").iterdir()) == ["a.png"]


def test_the_log_loses_a_line_on_a_full_disk_without_burying_the_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    handler = log_file.LogFile(DEV_FULL, encoding="utf-8")
    logger = logging.getLogger("sprechstunde.test-full-disk")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("a line that finds no room")
    finally:
        logger.removeHandler(handler)
        handler.close()
    assert capsys.readouterr().err == ""  # logging's own traceback stays out of the way
