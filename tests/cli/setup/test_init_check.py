"""`sprechstunde init` and `sprechstunde check`, run like a shell session."""

from __future__ import annotations

import stat
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import pytest
from typer.testing import Result

from sprechstunde_cli.errors import ExitCode
from sprechstunde_cli.services.setup import example_config
from tests.support import REPO

Sp = Callable[..., Result]


class Clock(Protocol):
    """The conftest's FakeClock: tests set `current`."""

    current: datetime


ROOT = REPO
# The example session is on Wednesday 2026-12-02, 16:00–17:00 in Berlin.
WEEK_BEFORE = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.fixture
def cli(sp: Sp, tmp_path: Path, clock: Clock) -> Sp:
    """`sp` with a throw-away --data-dir, so nothing can reach the real one; a week before."""
    clock.current = WEEK_BEFORE

    def run(*args: str, expect: int | None = 0) -> Result:
        return sp("--data-dir", str(tmp_path / "data"), *args, expect=expect)

    return run


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- init ---------------------------------------------------------------------------------------


def test_init_writes_the_example_privately(cli: Sp, tmp_path: Path) -> None:
    config = tmp_path / "new" / "config.toml"

    result = cli("--config", str(config), "init")

    assert result.stderr == ""
    assert config.read_bytes() == (ROOT / "config.example.toml").read_bytes()
    assert mode(config) == 0o600
    assert mode(config.parent) == 0o700
    assert result.stdout.splitlines()[0] == f"Wrote the example config to {config}"
    assert "sprechstunde check" in result.stdout
    assert "sprechstunde demo" in result.stdout
    assert "sprechstunde open --now" in result.stdout
    assert not (tmp_path / "data").exists()  # init touches only the config


def test_init_leaves_an_existing_directory_as_it_is(cli: Sp, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)

    cli("--config", str(shared / "config.toml"), "init")

    assert mode(shared) == 0o755
    assert mode(shared / "config.toml") == 0o600


def test_init_refuses_to_overwrite(cli: Sp, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    cli("--config", str(config), "init")
    config.write_text("# meine Änderungen\n", encoding="utf-8")

    result = cli("--config", str(config), "init", expect=ExitCode.CONFIG)

    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.startswith(f"Error: A config file already exists at {config}.\n")
    assert "Hint: " in result.stderr
    assert "add --force to overwrite" in result.stderr
    assert config.read_text(encoding="utf-8") == "# meine Änderungen\n"


def test_init_force_overwrites(cli: Sp, tmp_path: Path) -> None:
    config = tmp_path / "cfg" / "config.toml"
    config.parent.mkdir()
    config.write_text("# alt\n", encoding="utf-8")
    config.chmod(0o644)

    cli("--config", str(config), "init", "--force")

    assert config.read_bytes() == example_config()
    assert mode(config) == 0o600
    assert [p.name for p in config.parent.iterdir()] == ["config.toml"]  # no temp file left


def test_init_honours_the_config_env_var(
    cli: Sp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "from-env" / "sprechstunde.toml"
    monkeypatch.setenv("SPRECHSTUNDE_CONFIG", str(config))

    result = cli("init")

    assert config.read_bytes() == example_config()
    assert mode(config.parent) == 0o700
    assert f"Wrote the example config to {config}" in result.stdout


def test_init_reports_an_unwritable_path(cli: Sp, tmp_path: Path) -> None:
    blocker = tmp_path / "datei"
    blocker.write_text("", encoding="utf-8")

    result = cli("--config", str(blocker / "config.toml"), "init", expect=ExitCode.CONFIG)

    assert result.stderr.startswith(f"Error: Cannot write {blocker / 'config.toml'}: ")
    assert "--config FILE" in result.stderr


def test_packaged_example_is_the_repo_root_example() -> None:
    assert example_config() == (ROOT / "config.example.toml").read_bytes()


# --- check --------------------------------------------------------------------------------------


def test_check_summarises_the_example(cli: Sp, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    cli("--config", str(config), "init")

    result = cli("--config", str(config), "check")

    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        f"Config OK: {config}",
        "Office: Stadtverwaltung Musterstadt (Europe/Berlin)",
        "Sessions (1):",
        "  beispiel  Wed 2026-12-02 16:00–17:00 Europe/Berlin (UTC+01:00)  provider local  "
        "upcoming",
        "    WhatsApp-Sprechstunde der Oberbürgermeisterin — Oberbürgermeisterin Erika Mustermann",
        "Mail: not set up; hand-offs are written to an export file at close.",
        "Templates: danke, email, fachamt",
        "Texts: the built-in German defaults",
    ]


def test_check_names_the_bad_key(cli: Sp, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[sessions.mi]\nofficial = "OB"\nstart = 2026-12-02T16:00:00\nend = 2026-12-02T15:00:00\n',
        encoding="utf-8",
    )

    result = cli("--config", str(config), "check", expect=ExitCode.CONFIG)

    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "Error: sessions.mi.end: must be later than start.",
        "Hint: Set an end time after the start.",
    ]


PLAIN_MAIL = (
    '\n[mail]\nhost = "mail.example.org"\nsecurity = "none"\nsender = "buero@example.org"\n'
)


def test_check_refuses_unencrypted_mail_to_another_machine(cli: Sp, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(PLAIN_MAIL, encoding="utf-8")

    result = cli("--config", str(config), "check", expect=ExitCode.CONFIG)

    assert result.stderr.startswith(
        'Error: mail.security: is "none", so the password and every hand-off would cross '
        "the network to mail.example.org unencrypted."
    )
    assert "allow_plaintext = true" in result.stderr


def test_check_flags_acknowledged_unencrypted_mail(cli: Sp, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(PLAIN_MAIL + "allow_plaintext = true\n", encoding="utf-8")

    result = cli("--config", str(config), "check")

    lines = result.stdout.splitlines()
    assert "Mail: mail.example.org:25 (none), sender buero@example.org" in lines
    [warning] = [line for line in lines if line.startswith("Warning:")]
    assert "mail to mail.example.org is not encrypted" in warning


def test_check_takes_unencrypted_mail_on_this_machine(cli: Sp, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(PLAIN_MAIL.replace("mail.example.org", "127.0.0.1"), encoding="utf-8")

    result = cli("--config", str(config), "check")

    assert "Mail: 127.0.0.1:25 (none), sender buero@example.org" in result.stdout
    assert "Warning" not in result.stdout


def test_check_names_the_line_of_broken_toml(cli: Sp, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[office]\nname = "Rathaus\n', encoding="utf-8")

    result = cli("--config", str(config), "check", expect=ExitCode.CONFIG)

    assert "line 2" in result.stderr
    assert "Hint: Fix the syntax at the line named." in result.stderr


def test_check_without_a_config_points_to_init(
    cli: Sp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPRECHSTUNDE_CONFIG", str(tmp_path / "fehlt.toml"))

    result = cli("check", expect=ExitCode.CONFIG)

    assert result.stderr.startswith(f"Error: No config file at {tmp_path / 'fehlt.toml'}.")
    assert "Hint: Run: sprechstunde init" in result.stderr


def test_check_marks_running_and_ended_sessions_and_changed_texts(
    cli: Sp, tmp_path: Path, clock: Clock
) -> None:
    clock.current = datetime(2026, 12, 2, 16, 30, tzinfo=UTC)
    config = tmp_path / "config.toml"
    config.write_text(
        """
[office]
name = "Rathaus"
operator = "Team Presse"

[sessions.vorbei]
official = "OB"
start = 2026-12-02T10:00:00
end = 2026-12-02T11:00:00

[sessions.jetzt]
official = "OB"
start = 2026-12-02T16:00:00
end = 2026-12-02T17:00:00
timezone = "Europe/London"

[sessions.spaeter]
official = "OB"
start = 2026-12-31T23:30:00
end = 2027-01-01T00:30:00

[texts]
greeting = "Hallo!"
away = "Geschlossen. Nächste: {next_session}."
""",
        encoding="utf-8",
    )

    result = cli("--config", str(config), "check")

    lines = result.stdout.splitlines()
    assert "Operator: Team Presse" in lines
    assert "Sessions (3):" in lines
    assert [line for line in lines if line.startswith("  ") and not line.startswith("    ")] == [
        "  vorbei  Wed 2026-12-02 10:00–11:00 Europe/Berlin (UTC+01:00)  provider local  ended",
        "  jetzt  Wed 2026-12-02 16:00–17:00 Europe/London (UTC+00:00)  provider local"
        "  running now",
        "  spaeter  Thu 2026-12-31 23:30–2027-01-01 00:30 Europe/Berlin (UTC+01:00)  provider local"
        "  upcoming",
    ]
    assert "Templates: none" in lines
    assert "Texts: 2 changed from the German defaults (greeting, away)" in lines
    assert not any(line.startswith("Note:") for line in lines)


def test_check_notes_when_every_session_has_ended(cli: Sp, tmp_path: Path, clock: Clock) -> None:
    config = tmp_path / "config.toml"
    cli("--config", str(config), "init")
    clock.current = datetime(2027, 1, 1, 0, 0, tzinfo=UTC)

    result = cli("--config", str(config), "check")

    assert result.stdout.splitlines()[3].endswith("provider local  ended")
    assert "Note: every session in this file has ended; add the next one." in result.stdout


def test_check_escapes_control_characters_in_config_strings(cli: Sp, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[office]\nname = "Rat\\u001b[2Jhaus\\u202e"\n', encoding="utf-8")

    result = cli("--config", str(config), "check")

    assert "\x1b" not in result.stdout
    assert "\u202e" not in result.stdout
    assert "Office: Rat\\x1b[2Jhaus\\u202e (Europe/Berlin)" in result.stdout
    assert "Sessions: none. Add a [sessions.<id>] table to plan an hour." in result.stdout


def test_help_texts_are_written(cli: Sp) -> None:
    init_help = cli("init", "--help").stdout
    check_help = cli("check", "--help").stdout

    assert "Write a commented example config" in init_help
    assert "--force" in init_help
    assert "Overwrite an existing config file." in init_help
    assert "Validate the config file and summarise it." in check_help
