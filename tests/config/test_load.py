"""Config parsing: valid files, errors that name their key path, the shipped example."""

from __future__ import annotations

import tomllib
from dataclasses import fields
from datetime import timedelta
from pathlib import Path

import pytest

from sprechstunde_cli.config import (
    Config,
    HourSettings,
    load_config,
    parse_config,
)
from sprechstunde_cli.config.providers import KNOWN_PROVIDERS
from sprechstunde_cli.domain.texts import DEFAULT_TEXTS, Texts
from sprechstunde_cli.errors import ConfigError, ExitCode, NotFoundError
from sprechstunde_cli.providers.local.settings import LocalSettings
from tests.support import REPO

ROOT = REPO
PACKAGED_EXAMPLE = ROOT / "src" / "sprechstunde_cli" / "config.example.toml"

OFFICE = """
[office]
name = "Stadtverwaltung Musterstadt"
"""

SESSION = """
[sessions.mi]
official = "Bürgermeisterin Erika Mustermann"
start = 2026-12-02T16:00:00
end = 2026-12-02T17:00:00
"""


def parse(text: str) -> Config:
    return parse_config(tomllib.loads(text))


def config_error(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse(text)
    return info.value


# --- valid configs ----------------------------------------------------------------------------


def test_minimal_config_takes_the_defaults() -> None:
    config = parse(OFFICE + SESSION)

    assert config.office == "Stadtverwaltung Musterstadt"
    assert config.operator == ""
    assert config.timezone == "Europe/Berlin"
    assert config.texts == DEFAULT_TEXTS
    assert config.hour == HourSettings()
    assert config.templates == {}
    assert config.providers == {}
    spec = config.sessions["mi"]
    assert spec.title == "Bürgersprechstunde"
    assert spec.official == "Bürgermeisterin Erika Mustermann"
    assert spec.provider == "local"
    assert spec.timezone == "Europe/Berlin"
    assert spec.duration == timedelta(hours=1)


def test_full_config_is_read_into_typed_values() -> None:
    config = parse(
        """
[office]
name = "Bezirksamt Musterbezirk"
operator = "Team Presse"
timezone = "Europe/Vienna"

[hour]
last_call_minutes = 15
poll_seconds = 0.5
max_message_chars = 2000
max_media_mb = 5
media_command = "xdg-open '{file}'"
closing_grace_minutes = 0

[sessions.mi]
title = "WhatsApp-Sprechstunde"
official = "Bezirksbürgermeisterin Erika Mustermann"
start = 2026-12-02T16:00:00
end = 2026-12-02T17:30:00
provider = "local"

[texts]
greeting = "Willkommen bei {office}, {{Sprechstunde}} bis {end} Uhr."

[templates]
danke = "Danke! {official}"

[providers.local]
"""
    )

    assert config.operator == "Team Presse"
    assert config.timezone == "Europe/Vienna"
    assert config.sessions["mi"].timezone == "Europe/Vienna"
    assert config.sessions["mi"].duration == timedelta(minutes=90)
    assert config.hour == HourSettings(
        last_call_minutes=15.0,
        poll_seconds=0.5,
        max_message_chars=2000,
        max_media_mb=5.0,
        media_command="xdg-open '{file}'",
        closing_grace_minutes=0.0,
    )
    assert config.hour.max_media_bytes == 5 * 1024 * 1024
    assert config.texts.greeting == "Willkommen bei {office}, {{Sprechstunde}} bis {end} Uhr."
    assert config.texts.away == DEFAULT_TEXTS.away
    assert config.templates == {"danke": "Danke! {official}"}
    assert config.providers == {"local": LocalSettings()}


def test_sessions_are_ordered_by_start_not_by_file_order() -> None:
    config = parse(
        OFFICE
        + """
[sessions.spaet]
official = "OB"
start = 2027-01-13T16:00:00
end = 2027-01-13T17:00:00

[sessions.frueh]
official = "OB"
start = 2026-12-02T16:00:00
end = 2026-12-02T17:00:00
"""
    )

    assert list(config.sessions) == ["frueh", "spaet"]


def test_session_lookup_names_the_known_ids() -> None:
    config = parse(OFFICE + SESSION)

    assert config.session("mi").id == "mi"
    # A typo is no broken config: NOT_FOUND, like an unknown id anywhere else.
    with pytest.raises(NotFoundError) as info:
        config.session("do")
    assert info.value.exit_code is ExitCode.NOT_FOUND
    assert "'do'" in info.value.message
    assert "known: mi" in info.value.message
    assert "sprechstunde sessions" in info.value.hint


# --- every error names its key path ------------------------------------------------------------


@pytest.mark.parametrize(
    ("end", "why"),
    [("2026-12-02T16:00:00", "equal"), ("2026-12-02T15:00:00", "before")],
)
def test_end_not_after_start_names_the_end_key(end: str, why: str) -> None:
    err = config_error(OFFICE + SESSION.replace("2026-12-02T17:00:00", end))

    assert err.key == "sessions.mi.end", why
    assert err.message.startswith("sessions.mi.end: ")
    assert "later than start" in err.message
    assert err.exit_code == ExitCode.CONFIG


def test_unknown_placeholder_names_the_text_and_the_known_ones() -> None:
    err = config_error(OFFICE + SESSION + '[texts]\ngreeting = "Hallo {nme}!"\n')

    assert err.key == "texts.greeting"
    assert "{nme}" in err.message
    assert "{official}" in err.hint
    assert "{next_session}" in err.hint


@pytest.mark.parametrize(
    "text",
    ["Ende um {end", "Ende um end}", "Ende {end:%H}", "Ende {end!r}", "Ende {0}", "Ende {}"],
)
def test_malformed_placeholder_is_refused(text: str) -> None:
    err = config_error(OFFICE + SESSION + f'[texts]\naway = "{text}"\n')

    assert err.key == "texts.away"
    assert "{{" in err.hint


def test_text_must_be_a_string() -> None:
    err = config_error(OFFICE + SESSION + "[texts]\nclosing = 3\n")

    assert err.key == "texts.closing"
    assert "must be a string, not int" in err.message


def test_unknown_text_key_suggests_the_right_one() -> None:
    err = config_error(OFFICE + SESSION + '[texts]\ngreting = "Hallo"\n')

    assert err.key == "texts.greting"
    assert err.hint == "Did you mean 'greeting'?"


@pytest.mark.parametrize(
    ("line", "key", "fragment"),
    [
        ('last_call_minutes = "10"', "hour.last_call_minutes", "non-negative number"),
        ("last_call_minutes = -1", "hour.last_call_minutes", "non-negative number"),
        ("max_media_mb = true", "hour.max_media_mb", "non-negative number"),
        ("max_media_mb = inf", "hour.max_media_mb", "non-negative number"),
        ("poll_seconds = nan", "hour.poll_seconds", "non-negative number"),
        ("poll_seconds = 0", "hour.poll_seconds", "greater than 0"),
        ("max_message_chars = 10.5", "hour.max_message_chars", "whole number"),
        ("max_message_chars = 0", "hour.max_message_chars", "whole number"),
        ("media_command = 3", "hour.media_command", "must be a string"),
        ("closing_grace_minutes = -1", "hour.closing_grace_minutes", "non-negative number"),
        ('media_command = "open \'{file}"', "hour.media_command", "cannot be split"),
        ("last_cal_minutes = 5", "hour.last_cal_minutes", "unknown key"),
    ],
)
def test_bad_hour_settings_name_their_key(line: str, key: str, fragment: str) -> None:
    err = config_error(OFFICE + SESSION + f"[hour]\n{line}\n")

    assert err.key == key
    assert fragment in err.message


def test_unknown_top_level_key_suggests_the_right_one() -> None:
    err = config_error(OFFICE + SESSION.replace("[sessions.mi]", "[sesions.mi]"))

    assert err.key == "sesions"
    assert "unknown key 'sesions'" in err.message
    assert err.hint == "Did you mean 'sessions'?"


def test_unknown_key_without_a_close_match_lists_the_known_ones() -> None:
    err = config_error(OFFICE + SESSION + 'colour = "blau"\n')

    assert err.key == "sessions.mi.colour"
    assert "official" in err.hint
    assert err.hint.startswith("Known: ")


def test_unknown_session_provider_is_named() -> None:
    err = config_error(OFFICE + SESSION + 'provider = "whatsap"\n')

    assert err.key == "sessions.mi.provider"
    assert "unknown provider 'whatsap'" in err.message
    assert all(name in err.hint for name in KNOWN_PROVIDERS)


def test_unknown_provider_table_is_named() -> None:
    err = config_error(OFFICE + SESSION + "[providers.locl]\n")

    assert err.key == "providers.locl"
    assert "unknown provider 'locl'" in err.message
    assert err.hint == "Did you mean 'local'?"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (OFFICE.replace('name = "', 'timezone = "Europe/Berlln"\nname = "') + SESSION,
         "office.timezone"),
        (OFFICE + SESSION + 'timezone = "Mars/Olympus"\n', "sessions.mi.timezone"),
        (OFFICE + SESSION + 'timezone = "../../etc/passwd"\n', "sessions.mi.timezone"),
    ],
)  # fmt: skip
def test_bad_time_zone_names_its_key(text: str, key: str) -> None:
    err = config_error(text)

    assert err.key == key
    assert "unknown time zone" in err.message
    assert "Europe/Berlin" in err.hint


def test_session_that_is_not_a_table() -> None:
    err = config_error(OFFICE + "[sessions]\nmi = 1\n")

    assert err.key == "sessions.mi"
    assert "must be a table" in err.message
    assert "[sessions.mi]" in err.hint


def test_top_level_section_that_is_not_a_table() -> None:
    err = config_error('office = "Rathaus"\n' + SESSION)

    assert err.key == "office"
    assert "[office]" in err.hint


def test_session_array_of_tables_is_refused() -> None:
    err = config_error(OFFICE + SESSION.replace("[sessions.mi]", "[[sessions]]"))

    assert err.key == "sessions"


@pytest.mark.parametrize(
    ("old", "new", "key", "fragment"),
    [
        ('official = "Bürgermeisterin Erika Mustermann"\n', "", "sessions.mi.official", "missing"),
        ('"Bürgermeisterin Erika Mustermann"', '"  "', "sessions.mi.official", "empty"),
        ("start = 2026-12-02T16:00:00\n", "", "sessions.mi.start", "missing"),
        ("2026-12-02T16:00:00", "2026-12-02", "sessions.mi.start", "date and time"),
        ("2026-12-02T16:00:00", '"2026-12-02"', "sessions.mi.start", "date and time"),
        ("2026-12-02T16:00:00", "16:00:00", "sessions.mi.start", "date and time"),
        ("2026-12-02T17:00:00", '"morgen"', "sessions.mi.end", "date and time"),
        ("2026-12-02T17:00:00", "1700", "sessions.mi.end", "not int"),
    ],
)
def test_bad_session_values_name_their_key(old: str, new: str, key: str, fragment: str) -> None:
    text = OFFICE + SESSION
    assert old in text
    err = config_error(text.replace(old, new))

    assert err.key == key
    assert fragment in err.message


def test_session_id_with_unsafe_characters_is_refused() -> None:
    err = config_error(OFFICE + SESSION.replace("[sessions.mi]", '[sessions."../mi"]'))

    assert err.key == "sessions.../mi"
    assert "letters, digits" in err.message


@pytest.mark.parametrize(
    ("body", "key", "fragment"),
    [
        ('leer = "  "', "templates.leer", "empty"),
        ("zahl = 3", "templates.zahl", "must be a string"),
        ('gruss = "Gruß, {amt}"', "templates.gruss", "{amt}"),
    ],
)
def test_bad_templates_name_their_key(body: str, key: str, fragment: str) -> None:
    err = config_error(OFFICE + SESSION + f"[templates]\n{body}\n")

    assert err.key == key
    assert fragment in err.message


def test_malformed_toml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[office]\nname = "Rathaus"\nthis is not toml\n', encoding="utf-8")

    with pytest.raises(ConfigError) as info:
        load_config(path)

    assert "line 3" in info.value.message
    assert str(path) in info.value.message


def test_missing_file_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "nope.toml")

    assert "sprechstunde init" in info.value.hint


def test_unreadable_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)  # a directory

    assert "Cannot read" in info.value.message


def test_load_config_records_the_path(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(OFFICE + SESSION, encoding="utf-8")

    assert load_config(path).path == path


# --- the shipped example ------------------------------------------------------------------------


def test_example_config_loads_with_the_default_texts() -> None:
    config = load_config(ROOT / "config.example.toml")

    assert config.texts == DEFAULT_TEXTS
    assert config.hour == HourSettings()
    assert config.timezone == "Europe/Berlin"
    spec = config.sessions["beispiel"]
    assert spec.title == "WhatsApp-Sprechstunde der Oberbürgermeisterin"
    assert spec.official == "Oberbürgermeisterin Erika Mustermann"
    assert spec.provider == "local"
    assert spec.start.utcoffset() == timedelta(hours=1)
    assert {"danke", "fachamt", "email"} <= set(config.templates)
    assert config.providers == {"local": LocalSettings()}


def test_example_config_spells_out_every_text_and_hour_key() -> None:
    raw = tomllib.loads((ROOT / "config.example.toml").read_text(encoding="utf-8"))

    assert set(raw["texts"]) == {f.name for f in fields(Texts)}
    assert set(raw["hour"]) == {f.name for f in fields(HourSettings)}
    assert set(raw["office"]) == {"name", "operator", "timezone"}


def test_example_config_in_repo_root_matches_the_packaged_copy() -> None:
    assert (ROOT / "config.example.toml").read_bytes() == PACKAGED_EXAMPLE.read_bytes()
