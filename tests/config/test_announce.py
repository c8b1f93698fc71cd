"""The [announce] section: offsets, templates, targets, and the refusal of bulk messaging."""

from __future__ import annotations

import re
import tomllib
from datetime import timedelta
from pathlib import Path

import pytest

from sprechstunde_cli.config import Config, parse_config
from sprechstunde_cli.config.announce import DEFAULT_TEMPLATES
from sprechstunde_cli.errors import ConfigError
from tests.support import REPO

ROOT = REPO
OFFICE = '[office]\nname = "Stadt Musterstadt"\n'
MAIL = '[mail]\nhost = "127.0.0.1"\nsecurity = "none"\nport = 2525\nsender = "b@example.org"\n'
BASE = '[announce]\nhandle = "+49 000 0000000"\n'


def parse(text: str, path: Path | None = None) -> Config:
    return parse_config(tomllib.loads(OFFICE + text), path)


def error(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse(text)
    return info.value


def test_no_announce_section_announces_nothing() -> None:
    config = parse("")

    assert config.announce.channels == {}
    assert config.announce.offsets == ()


def test_default_offsets_and_german_texts() -> None:
    config = parse(BASE + "[announce.messenger]\n")
    settings = config.announce

    assert [(o.name, o.before, o.at_end) for o in settings.offsets] == [
        ("week", timedelta(days=7), False),
        ("day", timedelta(days=1), False),
        ("start", timedelta(0), False),
    ]
    assert settings.offset("week").template == DEFAULT_TEMPLATES["week"]  # type: ignore[union-attr]
    assert settings.channels["messenger"].offsets == ("week", "day", "start")
    assert settings.grace == timedelta(hours=2)


def test_offsets_durations_targets_and_files(tmp_path: Path) -> None:
    config = parse(
        BASE
        + 'grace = "1d12h"\n'
        + '[announce.offsets]\nweek = "5d"\nhour = "90m"\nstart = "0"\nend = "end"\nx = "2d"\n'
        + '[announce.templates]\nx = "In zwei Tagen: {title} am {date}."\n'
        + '[announce.mastodon]\ninstance = "https://social.example.org/"\noffsets = ["x"]\n'
        + '[announce.email]\nto = "presse@example.org"\noffsets = ["week", "end"]\n'
        + '[announce.files]\nics = "pub/s.ics"\nsnippet = "/srv/www/s.md"\n'
        + MAIL,
        path=tmp_path / "config.toml",
    )
    settings = config.announce

    assert [(o.name, o.before) for o in settings.offsets] == [
        ("week", timedelta(days=5)),
        ("x", timedelta(days=2)),
        ("hour", timedelta(minutes=90)),
        ("start", timedelta(0)),
        ("end", timedelta(0)),
    ]
    assert settings.grace == timedelta(days=1, hours=12)
    assert settings.channels["mastodon"].instance == "https://social.example.org"
    assert settings.channels["mastodon"].offsets == ("x",)
    assert settings.channels["email"].to == ("presse@example.org",)
    assert settings.channels["email"].offsets == ("week", "end")
    assert settings.files.ics == tmp_path / "pub" / "s.ics"  # relative to the config file
    assert settings.files.snippet == Path("/srv/www/s.md")


def test_a_disabled_target_is_not_a_channel() -> None:
    config = parse(BASE + "[announce.messenger]\nenabled = false\n")

    assert config.announce.channels == {}


def test_handles_per_provider() -> None:
    config = parse(BASE + '[announce.handles]\nlocal = "status@local"\n[announce.messenger]\n')

    assert config.announce.handle_for("local") == "status@local"


# --- never to citizens one by one ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (BASE + '[announce.messenger]\nto = ["+49 000 0000001", "+49 000 0000002"]\n',
         "announce.messenger.to"),
        (BASE + '[announce.messenger]\ncontacts = ["+49 000 0000001"]\n',
         "announce.messenger.contacts"),
        (BASE + 'recipients = ["+49 000 0000001"]\n[announce.messenger]\n',
         "announce.recipients"),
        (BASE + '[announce.mastodon]\ninstance = "https://social.example.org"\nchats = ["@a"]\n',
         "announce.mastodon.chats"),
        (MAIL + BASE + '[announce.email]\nto = ["+49 000 0000001"]\n', "announce.email.to"),
    ],
)  # fmt: skip
def test_bulk_messaging_to_citizens_is_refused(text: str, key: str) -> None:
    err = error(text)

    assert err.key == key
    assert "never sends announcements to citizens one by one" in err.message
    assert "Mastodon" in err.hint and "press e-mail list" in err.hint


def test_a_long_address_list_is_refused_as_bulk_mail() -> None:
    addresses = ", ".join(f'"b{n}@example.org"' for n in range(11))
    err = error(MAIL + BASE + f"[announce.email]\nto = [{addresses}]\n")

    assert err.key == "announce.email.to"
    assert "distribution-list" in err.hint


# --- errors name the key and the fix -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key", "hint"),
    [
        (BASE + '[announce.offsets]\nweek = "7 Tage"\n', "announce.offsets.week", '"7d"'),
        (BASE + '[announce.offsets]\nweek = "90d"\n', "announce.offsets.week", "7d"),
        (BASE + '[announce.offsets]\nfrueh = "3d"\n', "announce.templates.frueh", "frueh"),
        (BASE + '[announce.templates]\nweek = "{wann}"\n', "announce.templates.week", "{date}"),
        (BASE + '[announce.templates]\nmonth = "x"\n', "announce.templates.month", "Known"),
        (BASE + '[announce.messenger]\noffsets = ["wek"]\n', "announce.messenger.offsets",
         "Did you mean 'week'?"),
        (BASE + '[announce.mastodon]\ninstance = "http://social.example.org"\n',
         "announce.mastodon.instance", "https://"),
        (BASE + "[announce.mastodon]\n", "announce.mastodon.instance", "instance"),
        (BASE + '[announce.email]\nto = ["presse@example.org"]\n', "announce.email", "[mail]"),
        ('[announce]\n[announce.messenger]\n', "announce.handle", "handle ="),
        (BASE + "[announce.signal]\n", "announce.signal", "Known"),
        (BASE + 'grace = "bald"\n', "announce.grace", "7d"),
    ],
)  # fmt: skip
def test_bad_announce_settings_name_key_and_fix(text: str, key: str, hint: str) -> None:
    err = error(text)

    assert err.key == key
    assert hint in err.hint


# --- the shipped example -------------------------------------------------------------------------

_TOML_LINE = re.compile(r"# (\[[^\]]+\](\s+#.*)?|[A-Za-z0-9_\"-]+ = .+)")


def _uncommented(section: str, text: str) -> str:
    """The example's commented-out TOML lines of one `# --- section ---`, uncommented."""
    block = text.split(f"# --- {section} ")[1].split("\n# --- ")[0]
    lines = [line[2:] for line in block.splitlines() if _TOML_LINE.fullmatch(line)]
    assert lines, f"no commented example in section {section!r}"
    return "\n".join(lines) + "\n"


def test_the_commented_examples_parse_when_uncommented() -> None:
    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    extra = tomllib.loads(
        _uncommented("recurring sessions", text) + _uncommented("announcements", text)
    )
    raw.setdefault("mail", tomllib.loads(MAIL)["mail"])
    config = parse_config({**raw, **extra}, ROOT / "config.example.toml")

    assert config.session("mittwoch-2026-12-16").official.startswith("Oberbürgermeisterin")
    assert config.schedules["mittwoch"].holidays == "BE"
    assert set(config.announce.channels) == {"messenger", "mastodon", "email"}
    assert [o.name for o in config.announce.offsets] == ["week", "day", "hour", "start", "end"]
    assert config.announce.files.ics == ROOT / "sprechstunde.ics"
    # The commented sections change nothing while they stay commented.
    assert "schedules" not in raw and "announce" not in raw
