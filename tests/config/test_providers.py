"""Every `[providers.*]` section is checked by its messenger's settings reader when the config
loads, so `check` (and every other command) catches a typo before the hour."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from sprechstunde_cli.config import parse_config
from sprechstunde_cli.config.providers import KNOWN_PROVIDERS
from sprechstunde_cli.errors import ConfigError, ExitCode
from sprechstunde_cli.providers.local.settings import LocalSettings
from sprechstunde_cli.providers.matrix.settings import MatrixSettings
from sprechstunde_cli.providers.registry import PROVIDERS
from sprechstunde_cli.providers.waha.settings import WahaSettings
from tests.support.cli import EXAMPLE_CONFIG, Sp
from tests.support.clocks import FakeClock

# (extra config, the key the error must name, a word the hint must contain)
BROKEN = {
    "waha-unknown-key": (
        "[providers.waha]\nbogus_key = 1\n",
        "providers.waha.bogus_key",
        "base_url",
    ),
    "local-any-key": ("[providers.local]\nx = 1\n", "providers.local.x", "Remove"),
    "matrix-no-homeserver": (
        '[providers.matrix]\nuser_id = "@buergermeisterin:example.org"\n',
        "providers.matrix.homeserver",
        "homeserver =",
    ),
    "unknown-provider": ("[providers.telegrm]\n", "providers.telegrm", "waha"),
}


def write(config_file: Path, extra: str) -> None:
    config_file.write_text(EXAMPLE_CONFIG + "\n" + extra, encoding="utf-8")


def error_lines(stderr: str) -> tuple[str, str]:
    lines = stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("Error: ")]
    hints = [line for line in lines if line.startswith("Hint: ")]
    assert len(errors) == 1, stderr
    assert len(hints) == 1, stderr
    return errors[0], hints[0]


@pytest.mark.parametrize(("extra", "key", "hint_word"), BROKEN.values(), ids=BROKEN.keys())
def test_check_names_the_bad_key_and_a_fix(
    sp: Sp, config_file: Path, extra: str, key: str, hint_word: str
) -> None:
    write(config_file, extra)
    result = sp("check", expect=ExitCode.CONFIG)
    assert result.exit_code == 3
    error, hint = error_lines(result.stderr)
    assert f"{key}:" in error
    assert hint_word in hint
    assert result.stdout == ""


def test_the_example_config_itself_passes_check(sp: Sp, config_file: Path) -> None:
    sp("check")


def test_a_waha_section_with_known_keys_passes_check(sp: Sp, config_file: Path) -> None:
    write(config_file, '[providers.waha]\nengine = "GOWS"\nbase_url = "http://127.0.0.1:3000"\n')
    sp("check")


def test_an_unknown_provider_lists_the_known_ones(sp: Sp, config_file: Path) -> None:
    write(config_file, "[providers.telegrm]\n")
    _, hint = error_lines(sp("check", expect=3).stderr)
    assert all(name in hint for name in KNOWN_PROVIDERS)


def test_a_misspelt_provider_gets_the_close_name_suggested(sp: Sp, config_file: Path) -> None:
    write(config_file, "[providers.wahaa]\n")
    error, hint = error_lines(sp("check", expect=3).stderr)
    assert "providers.wahaa" in error
    assert "Did you mean 'waha'?" in hint


def test_a_provider_section_that_is_not_a_table_is_an_error(sp: Sp, config_file: Path) -> None:
    config_file.write_text('providers = { waha = "yes" }\n' + EXAMPLE_CONFIG, encoding="utf-8")
    error, _ = error_lines(sp("check", expect=3).stderr)
    assert "providers.waha" in error


# Every command that reads or acts on a session, run against a config with a bad provider
# section: each must stop with the config error, not get on with a half-valid config.
COMMANDS = [
    ("check",),
    ("sessions",),
    ("schedule",),
    ("doctor",),
    ("open",),
    ("announce", "--dry-run"),
    ("threads",),
    ("show", "1"),
    ("reply", "1", "Danke"),
    ("claim", "1"),
    ("release", "1"),
    ("media", "1"),
    ("followup", "1"),
    ("tail",),
    ("close",),
    ("purge", "mittwoch"),
    ("receipt", "mittwoch"),
    ("stats", "mittwoch"),
]


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(a) for a in COMMANDS])
def test_any_command_stops_with_the_config_exit_code(
    sp: Sp, config_file: Path, clock: FakeClock, args: tuple[str, ...]
) -> None:
    write(config_file, "[providers.waha]\nbogus_key = 1\n")
    result = sp(*args, expect=None)
    assert result.exit_code == ExitCode.CONFIG, (result.exit_code, result.stderr)
    error, _ = error_lines(result.stderr)
    assert "providers.waha.bogus_key" in error


def test_threads_of_an_open_session_stop_once_the_config_breaks(
    sp: Sp, config_file: Path, clock: FakeClock
) -> None:
    sp("open", "mittwoch", "--once", expect=None)  # opened with a valid config
    sp("threads", "--session", "mittwoch")
    write(config_file, "[providers.local]\nx = 1\n")
    result = sp("threads", "--session", "mittwoch", expect=None)
    assert result.exit_code == ExitCode.CONFIG, (result.exit_code, result.stdout, result.stderr)
    assert "providers.local.x" in result.stderr


# --- parse_config -----------------------------------------------------------------------------


def parse(extra: str) -> dict[str, object]:
    return dict(parse_config(tomllib.loads(EXAMPLE_CONFIG + "\n" + extra)).providers)


def test_parse_config_returns_the_parsed_settings_objects() -> None:
    providers = parse(
        '[providers.waha]\nengine = "nOwEb"\nsession = "rathaus"\n'
        '[providers.matrix]\nhomeserver = "https://matrix.example.org"\n'
        'user_id = "@buergermeisterin:example.org"\n'
        "[providers.local]\n"
    )
    waha = providers["waha"]
    assert isinstance(waha, WahaSettings)
    assert (waha.engine, waha.session, waha.base_url) == (
        "NOWEB",
        "rathaus",
        "http://127.0.0.1:3000",
    )
    matrix = providers["matrix"]
    assert isinstance(matrix, MatrixSettings)
    assert matrix.homeserver == "https://matrix.example.org"
    assert matrix.user_id == "@buergermeisterin:example.org"
    assert providers["local"] == LocalSettings()
    assert set(providers) == {"waha", "matrix", "local"}


def test_an_empty_waha_section_gives_the_defaults() -> None:
    assert parse("[providers.waha]\n") == {"waha": WahaSettings()}


def test_sections_not_written_are_not_parsed() -> None:
    assert parse("") == {}


def test_the_config_hands_out_a_providers_settings_with_defaults_when_absent() -> None:
    config = parse_config(tomllib.loads(EXAMPLE_CONFIG + '\n[providers.waha]\nengine = "WPP"\n'))
    waha = config.provider_settings("waha")
    assert isinstance(waha, WahaSettings) and waha.engine == "WPP"
    assert config.provider_settings("local") == LocalSettings()


@pytest.mark.parametrize(("extra", "key", "hint_word"), BROKEN.values(), ids=BROKEN.keys())
def test_parse_config_raises_with_the_key(extra: str, key: str, hint_word: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse(extra)
    assert caught.value.key == key
    assert caught.value.message.startswith(f"{key}: ")
    assert hint_word in caught.value.hint


def test_the_known_providers_are_the_registry() -> None:
    assert set(KNOWN_PROVIDERS) == set(PROVIDERS) == {"local", "waha", "matrix"}
