"""`hour.topics`, `hour.notify`, `hour.notify_content`: defaults, and errors naming the key."""

from __future__ import annotations

import tomllib

import pytest

from sprechstunde_cli.config.hour import DEFAULT_TOPICS, HourSettings
from sprechstunde_cli.config.load import parse_config
from sprechstunde_cli.errors import ConfigError


def hour(body: str) -> HourSettings:
    return parse_config(tomllib.loads(f"[office]\nname = 'Musterstadt'\n[hour]\n{body}\n")).hour


def test_defaults_tell_without_quoting_and_offer_the_usual_topics() -> None:
    settings = hour("")
    assert (
        settings.topics == DEFAULT_TOPICS == ("Verkehr", "Schule", "Bauen", "Soziales", "Sonstiges")
    )
    assert settings.notify == "desktop"
    assert settings.notify_content is False


def test_the_office_sets_its_own() -> None:
    settings = hour('topics = ["Kita", "Müll"]\nnotify = "bell"\nnotify_content = true')
    assert settings.topics == ("Kita", "Müll")
    assert (settings.notify, settings.notify_content) == ("bell", True)


@pytest.mark.parametrize(
    ("body", "key", "words"),
    [
        ("topics = []", "hour.topics", "non-empty list"),
        ('topics = "Verkehr"', "hour.topics", "non-empty list"),
        ('topics = ["Verkehr", ""]', "hour.topics", "is no topic"),
        ('topics = [" Verkehr"]', "hour.topics", "is no topic"),
        ('topics = ["Verkehr", "verkehr"]', "hour.topics", "twice"),
        ('notify = "loud"', "hour.notify", "unknown mode 'loud'"),
        ('notify_content = "yes"', "hour.notify_content", "true or false"),
    ],
)
def test_a_wrong_value_names_the_key(body: str, key: str, words: str) -> None:
    with pytest.raises(ConfigError) as info:
        hour(body)
    assert info.value.message.startswith(f"{key}: ")
    assert words in info.value.message
    assert info.value.hint
