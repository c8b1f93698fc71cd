"""`reply --attach` and `sandbox send --image`: what an operator-named file may be, as shell
sessions. HOME is the test's own folder (tests/conftest.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sprechstunde_cli.errors import ExitCode
from sprechstunde_cli.services.demo.samples import make_png
from tests.support.cli import Sp, inbox_texts


def claimed_by(sp: Sp, number: int) -> str | None:
    rows = [json.loads(x) for x in sp("threads", "--json").stdout.splitlines()]
    claim: str | None = next(r for r in rows if r["thread"] == number)["claimed_by"]
    return claim


def images_on_the_phone(sp: Sp, handle: str) -> int:
    lines = sp("sandbox", "inbox", "--as", handle, "--json").stdout.splitlines()
    return sum(1 for e in map(json.loads, lines) if e["from_office"] and e["kind"] == "image")


def refused(sp: Sp, attachment: Path, *extra: str) -> str:
    """Reply to Anna (thread 2) with `attachment`: refused with exit 2, nothing sent or claimed."""
    result = sp(
        "reply", "2", "Der Plan", "--attach", str(attachment), *extra, expect=ExitCode.USAGE
    )
    assert "Der Plan" not in inbox_texts(sp, "anna")
    assert claimed_by(sp, 2) is None  # a refused file leaves the thread as it was
    assert "Hint:" in result.stderr
    return result.stderr


def test_a_photo_in_the_home_folder_is_sent(hour_open: Sp) -> None:
    photo = Path.home() / "plan.png"
    photo.write_bytes(make_png(12, 8, (0, 0, 0)))
    assert "Sent to thread 2." in hour_open("reply", "2", "Der Plan", "-a", str(photo)).stdout
    assert images_on_the_phone(hour_open, "anna") == 1


def test_a_folder_is_refused_with_a_hint(hour_open: Sp) -> None:
    folder = Path.home() / "Fotos"
    folder.mkdir()
    stderr = refused(hour_open, folder)
    assert f"Error: {folder} is a folder, not a file." in stderr
    assert "Hint: Attach one file from the folder." in stderr


def test_dev_zero_is_refused(hour_open: Sp) -> None:
    stderr = refused(hour_open, Path("/dev/zero"))
    assert "/dev/zero is not an ordinary file" in stderr


def test_a_large_sparse_file_is_refused_by_its_size(hour_open: Sp) -> None:
    sparse = Path.home() / "video.mp4"
    with sparse.open("wb") as handle:
        handle.truncate(200 * 1024 * 1024)
    stderr = refused(hour_open, sparse)
    assert "is 200.0 MB, over the limit of 25.0 MB" in stderr
    assert "hour.max_media_mb" in stderr


def test_the_limit_is_the_configs_before_and_after_its_check_is_remembered(
    hour_open: Sp, config_file: Path
) -> None:
    # `reply` reads `[hour]` alone from a config that passed its check (config/checked.py),
    # and from the whole file when it changed since: the same limit either way.
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(text.replace("[hour]", "[hour]\nmax_media_mb = 0.001", 1), "utf-8")
    assert "max_media_mb = 0.001" in config_file.read_text(encoding="utf-8")
    photo = Path.home() / "plan.png"
    photo.write_bytes(make_png(64, 64, (0, 0, 0)) + b"\0" * 2048)
    for _run in ("changed: the whole file is read", "checked: [hour] alone is read"):
        assert "over the limit of 0.0 MB" in refused(hour_open, photo), _run


def test_a_missing_file_is_named(hour_open: Sp) -> None:
    stderr = refused(hour_open, Path.home() / "fehlt.png")
    assert "There is no file" in stderr and "fehlt.png" in stderr


def test_a_link_out_of_home_is_refused_unless_follow_symlinks(
    hour_open: Sp, tmp_path: Path
) -> None:
    outside = tmp_path / "download" / "plan.png"
    outside.parent.mkdir()
    outside.write_bytes(make_png(12, 8, (0, 0, 0)))
    link = Path.home() / "plan.png"
    link.symlink_to(outside)
    stderr = refused(hour_open, link)
    assert "outside your home folder" in stderr
    assert "Copy the file into your home folder and attach the copy" in stderr
    passwd = Path.home() / "passwd.png"
    passwd.symlink_to("/etc/passwd")
    assert "/etc/passwd" in refused(hour_open, passwd)
    hour_open("reply", "2", "Der Plan", "--attach", str(link), "--follow-symlinks")
    assert images_on_the_phone(hour_open, "anna") == 1


def test_a_hostile_file_name_is_shown_inert(hour_open: Sp) -> None:
    folder = Path.home() / "foto\x1b]0;gehackt\x07.png"
    folder.mkdir()
    stderr = refused(hour_open, folder)
    assert "\x1b" not in stderr and "\x07" not in stderr
    assert "foto\\x1b]0;gehackt\\x07.png is a folder" in stderr


def test_a_fifo_is_refused_at_once(hour_open: Sp, tmp_path: Path) -> None:
    fifo = Path.home() / "pipe.png"
    os.mkfifo(fifo)
    # A real process, so a reader that waits for a writer is killed on the timeout and the
    # test fails instead of hanging the suite. Data dir and config come from the environment.
    command = ["reply", "2", "Der Plan", "--attach", str(fifo), "--session", "mittwoch"]
    result = subprocess.run(
        [sys.executable, "-m", "sprechstunde_cli", *command],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"},
        check=False,
    )
    assert result.returncode == ExitCode.USAGE, result.stderr
    assert f"{fifo} is not an ordinary file" in result.stderr
    assert "Der Plan" not in inbox_texts(hour_open, "anna")


def test_sandbox_send_checks_its_file_the_same_way(hour_open: Sp, tmp_path: Path) -> None:
    folder = Path.home() / "Fotos"
    folder.mkdir()
    result = hour_open("sandbox", "send", "--from", "c9", "--image", str(folder), expect=2)
    assert "is a folder" in result.stderr and "Hint:" in result.stderr
    outside = tmp_path / "schaden.png"
    outside.write_bytes(make_png(12, 8, (0, 0, 0)))
    link = Path.home() / "schaden.png"
    link.symlink_to(outside)
    result = hour_open("sandbox", "send", "--from", "c9", "--image", str(link), expect=2)
    assert "outside your home folder" in result.stderr
    hour_open("sandbox", "send", "--from", "c9", "--image", str(link), "--follow-symlinks")
    hour_open("open", "--once")
    assert "[1] photo 12×8" in hour_open("media", "3").stdout
