"""`[texts]` and `[templates]`: what citizens read, German by default, each text replaceable."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from sprechstunde_cli.config import read
from sprechstunde_cli.domain.texts import DEFAULT_TEXTS, EXTRA_PLACEHOLDERS, PLACEHOLDERS, Texts
from sprechstunde_cli.errors import ConfigError
from sprechstunde_cli.i18n import _


def parse_texts(tbl: Mapping[str, Any]) -> Texts:
    names = [f.name for f in fields(Texts)]
    read.check_keys(tbl, "texts", set(names))
    values = {
        name: _text(
            tbl,
            f"texts.{name}",
            name,
            getattr(DEFAULT_TEXTS, name),
            PLACEHOLDERS | EXTRA_PLACEHOLDERS.get(name, frozenset()),
        )
        for name in names
    }
    return Texts(**values)


def parse_templates(tbl: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in tbl:
        text = _text(tbl, f"templates.{name}", name, "")
        if not text.strip():
            raise ConfigError(
                _("is empty."), _("Write the template's text or remove it."), f"templates.{name}"
            )
        out[name] = text
    return out


def _text(
    tbl: Mapping[str, Any],
    key: str,
    name: str,
    default: str,
    allowed: frozenset[str] = PLACEHOLDERS,
) -> str:
    return read.template(read.string(tbl, name, key, default), key, allowed)
