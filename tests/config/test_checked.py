"""A passed config check is remembered by the file's identity, and any change forgets it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from sprechstunde_cli.config.checked import checked, load_checked, passed, section, tables
from sprechstunde_cli.errors import ExitCode
from sprechstunde_cli.providers.registry import PROVIDERS
from tests.support.cli import Sp

# A section for each messenger (docs/waha.md, docs/matrix.md), none of them the defaults.
MESSENGERS = """
[providers.local]

[providers.waha]
base_url = "http://127.0.0.1:3999"
engine = "NOWEB"

[providers.matrix]
homeserver = "https://matrix.example.org"
user_id = "@buergermeisterin:example.org"
unreadable_after = 60
"""


def test_a_check_is_remembered_without_the_config_in_it(config_file: Path, tmp_path: Path) -> None:
    record = tmp_path / "data" / "config-checked"
    record.parent.mkdir()
    assert not passed(config_file, record)  # never checked
    config = load_checked(config_file, record)
    assert passed(config_file, record)
    # Numbers only, no text: the purge searches the data dir for every text a citizen sent,
    # and nothing of the config (its path, office, sessions) is in it either.
    kept = record.read_bytes()
    assert len(kept) == 56
    for value in (
        str(config_file),
        config_file.parent.name,
        config.office,
        *config.sessions,
        *(s.title for s in config.sessions.values()),
    ):
        assert value.encode("utf-8") not in kept
    assert record.stat().st_mode & 0o777 == 0o600


def test_an_edit_is_checked_again_even_with_size_and_time_put_back(
    config_file: Path, tmp_path: Path
) -> None:
    record = tmp_path / "config-checked"
    load_checked(config_file, record)
    before = config_file.stat()
    text = config_file.read_text(encoding="utf-8")
    # Same length, same modification time: only the change time (and the content) differ.
    config_file.write_text(text.replace("Musterstadt", "Musterstadx", 1), encoding="utf-8")
    os.utime(config_file, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert config_file.stat().st_size == before.st_size
    assert not passed(config_file, record)


def test_another_version_checks_again(
    config_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = tmp_path / "config-checked"
    load_checked(config_file, record)
    monkeypatch.setattr("sprechstunde_cli.config.checked.__version__", "99.0")
    assert not passed(config_file, record)


def test_a_record_in_a_missing_folder_is_not_made(config_file: Path, tmp_path: Path) -> None:
    record = tmp_path / "nowhere" / "config-checked"
    load_checked(config_file, record)
    assert not record.parent.exists()
    assert not passed(config_file, record)


@pytest.mark.parametrize("command", [("threads",), ("show", "1"), ("tail", "--once")])
def test_a_config_broken_after_a_passed_check_stops_a_store_command(
    sp: Sp, config_file: Path, command: tuple[str, ...]
) -> None:
    sp("sessions")  # makes the data dir (the record is kept only in one that exists)
    sp("sessions")  # reads the store: the config is checked and the check remembered
    assert (Path(os.environ["SPRECHSTUNDE_DATA_DIR"]) / "config-checked").exists()
    sp("threads", expect=ExitCode.NOT_FOUND)  # a valid config: only no session is open
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(text.replace("poll_seconds = 0.01", 'poll_seconds = "oft"'), "utf-8")
    result = sp(*command, expect=ExitCode.CONFIG)
    assert "hour.poll_seconds" in result.stderr


def test_a_record_that_says_so_already_is_not_written_again(
    config_file: Path, tmp_path: Path
) -> None:
    record = tmp_path / "config-checked"
    load_checked(config_file, record)
    first = record.stat()
    load_checked(config_file, record)  # `show`, `reply`: the config is read, the record stands
    assert record.stat().st_ino == first.st_ino  # an atomic write would have replaced the file


def provider(path: Path, record: Path, name: str) -> Mapping[str, Any] | None:
    data = checked(path, record)
    return None if data is None else section(tables(data), "providers", name)


def test_a_messengers_section_alone_reads_as_the_whole_config_reads_it(
    config_file: Path, tmp_path: Path
) -> None:
    config_file.write_text(config_file.read_text(encoding="utf-8") + MESSENGERS, encoding="utf-8")
    record = tmp_path / "config-checked"
    assert provider(config_file, record, "waha") is None  # not checked yet
    config = load_checked(config_file, record)
    for name in PROVIDERS:
        table = provider(config_file, record, name)
        assert table is not None
        assert PROVIDERS[name].parse_settings(table) == config.provider_settings(name), name
    assert provider(config_file, record, "waha") == {
        "base_url": "http://127.0.0.1:3999",
        "engine": "NOWEB",
    }


def test_a_section_is_not_read_from_a_file_changed_since_its_check(
    config_file: Path, tmp_path: Path
) -> None:
    record = tmp_path / "config-checked"
    load_checked(config_file, record)
    # The file has no such section.
    assert provider(config_file, record, "local") == {}
    config_file.write_text(
        config_file.read_text(encoding="utf-8") + '\n[providers.local]\nbogus = "x"\n', "utf-8"
    )
    assert provider(config_file, record, "local") is None  # the whole file is read
