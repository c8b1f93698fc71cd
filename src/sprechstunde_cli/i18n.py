"""The operator's language: `_()`, `ngettext()` and `N_()` over the gettext catalogues in `locale/`.

Every layer builds operator texts (errors and hints in domain/, store/, providers/ …), so this
module sits beside errors.py and imports nothing of the package. The language is chosen once per
process, on the first translated string: `SPRECHSTUNDE_LANG` wins, else the first of `LC_ALL`,
`LC_MESSAGES`, `LANG` that is set, as the C library reads them; `C`/`POSIX` or nothing is
English, which reads no catalogue (the msgids are English). Any other language with a
catalogue `locale/<lang>/LC_MESSAGES/sprechstunde.mo` works, so a third language is a file.
Citizen texts (`[texts]`) never pass through here: the office writes those itself, in German by
default.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gettext import NullTranslations

DOMAIN = "sprechstunde"
LOCALE_DIR = Path(__file__).parent / "locale"
ENGLISH = "en"

_chosen: NullTranslations | None = None
# English is the language the msgids are written in: it needs no catalogue, so neither gettext's
# reader nor a file is touched for it (every start shows help texts built at import).
_english: bool | None = None


def language(environ: os._Environ[str] | dict[str, str] | None = None) -> str:
    """The language code (`de`, `en`, …) the environment asks for."""
    env = os.environ if environ is None else environ
    wanted = env.get("SPRECHSTUNDE_LANG", "").strip()
    if not wanted:
        # The C library's order: the first of these that is set decides, even if it says C.
        wanted = next((env[k] for k in ("LC_ALL", "LC_MESSAGES", "LANG") if env.get(k)), "")
    code = wanted.split(".")[0].split("@")[0].split("_")[0].split("-")[0].lower()
    return ENGLISH if code in {"", "c", "posix"} else code


def _translations() -> NullTranslations | None:
    """The chosen language's catalogue; None for English, whose texts are the msgids."""
    global _chosen, _english
    if _english is None:
        _english = language() == ENGLISH
    if _chosen is None and not _english:
        # gettext's catalogue is read only on the first message in another language.
        import gettext

        _chosen = gettext.translation(
            DOMAIN, localedir=LOCALE_DIR, languages=[language()], fallback=True
        )
    return _chosen


def _(message: str) -> str:
    """`message` in the operator's language (the English msgid if there is no translation)."""
    chosen = _translations()
    return message if chosen is None else chosen.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for `n`, by the language's plural rule."""
    chosen = _translations()
    if chosen is None:
        return singular if n == 1 else plural  # English's rule, as gettext has it without a file
    return chosen.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks `message` for the catalogue where it is translated later (a module-level table)."""
    return message


def reset() -> None:
    """Choose the language again on the next message (tests that change the environment)."""
    global _chosen, _english
    _chosen = _english = None
