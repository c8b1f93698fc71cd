"""The one sanitizer for every citizen-controlled string before it reaches a terminal.

`clean()` turns characters that can steer a terminal or hide what a text says into visible,
inert escapes written the way Python writes them (`\\x1b`, `\\u202e`, `\\U000e0041`):

- C0 controls except newline and tab, DEL, and C1 controls (0x80–0x9f, incl. 8-bit CSI 0x9b);
- every Unicode format character (category Cf: bidi controls U+200E/U+200F/U+061C/U+202A–U+202E/
  U+2066–U+2069, zero-width space/joiners, BOM, soft hyphen, tag characters …), surrogates (Cs,
  including lone ones), private-use (Co) and unassigned (Cn) code points;
- the line and paragraph separators U+2028/U+2029;
- every default-ignorable code point (U+034F, the Hangul fillers, the Khmer inherent vowels,
  variation selectors …) and letters that look blank (the braille blank U+2800), so a name or a
  text cannot hide in invisible characters (domain/characters.py has the tables).

Kept as they are: emoji made of several code points (👨‍👩‍👧 with its zero-width joiners, ❤️ with its
variation selector, subdivision flags with their tags, keycaps), which are recognised as whole
sequences; a joiner or selector anywhere else is escaped.

Line endings: `\\r\\n` is a plain line ending and becomes `\\n`; a lone `\\r` (which would move
the cursor back and let a text overwrite itself) becomes the visible escape `\\x0d`. With
`single_line=True` every line ending becomes `⏎` and a tab becomes one space, so a table row
stays one row; otherwise tabs are expanded to spaces, so widths are what the terminal shows.

"Unassigned" is judged by this Python's Unicode database, so an emoji newer than it shows as an
escape; that errs on the safe side.

No Rich here: this module is imported at CLI startup and must stay cheap.
"""

from __future__ import annotations

import re
import unicodedata

# domain/characters.py compiles its tables on import (~1.5 ms of every command that prints):
# they are imported where a text first needs them, which most texts never do.

ELLIPSIS = "…"
NEWLINE_MARK = "⏎"
TAB_SIZE = 4

# Categories that never reach a terminal raw; see the module docstring.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})

# A run of characters that may need work. These never do, so typical German text passes with one
# C-level scan: printable ASCII, printable Latin-1 (except the soft hyphen U+00AD, which is Cf),
# the punctuation of U+2010–U+2027 (dashes, „quotes“, the bullet of a masked number, …; all
# printable, and short of the separators U+2028/U+2029), the euro sign, and the arrows
# U+2190–U+21FF (the ← and → that mark who wrote a line).
_PLAIN = "\x20-\x7e\xa0-\xac\xae-\xff\u2010-\u2027\u20ac\u2190-\u21ff"
# A text of those only (no line ending, no tab) has nothing to escape, keep or expand. Asked
# first, as a whole-text match: sre runs a positive class to the end at a third of what
# searching the negated one costs (1.7 µs for a typical 80-character line), and such a text
# then skips the emoji look and the substitution. The patterns below serve only the other
# texts, so each is compiled where one first needs it (`re.compile` keeps it for the next
# call; ~0.3 ms each for the big character classes, on every command that prints, most of
# which never need them).
_ALL_PLAIN = re.compile(f"[{_PLAIN}]*")
_SUSPECT_MULTI = f"[^\t\n{_PLAIN}]+"
_SUSPECT_SINGLE = f"[^{_PLAIN}]+"

# What an emoji sequence (domain/characters.py) may end in when a text is cut in its middle.
SEQUENCE_TAIL = "\u200d\ufe0e\ufe0f" + "".join(map(chr, range(0xE0020, 0xE0080)))
# Only a text with one of these can hold an emoji sequence worth keeping whole.
_MAY_HOLD_A_SEQUENCE = "[\u200d\ufe0e\ufe0f\u20e3\U000e0020-\U000e007f]"

# Cuts the remains of an escape (or a lone backslash) that truncation split in half.
_PARTIAL_ESCAPE = r"\\(?:x[0-9a-f]?|u[0-9a-f]{0,3}|U[0-9a-f]{0,7})?\Z"
# Its longest match is 9 characters (a backslash, U and seven hex digits): only a cut with a
# backslash that close to its end can hold one, and looking there is cheaper than the pattern.
_PARTIAL_ESCAPE_CHARS = 9


def _escape(cp: int) -> str:
    if cp <= 0xFF:
        return f"\\x{cp:02x}"
    if cp <= 0xFFFF:
        return f"\\u{cp:04x}"
    return f"\\U{cp:08x}"


class _Table(dict[int, str]):
    """A str.translate table that fills itself: asking unicodedata once per distinct character
    beats building a 1.1-million-entry table at startup."""

    def __init__(self, fixed: dict[int, str]) -> None:
        super().__init__(fixed)

    def __missing__(self, cp: int) -> str:
        ch = chr(cp)
        from sprechstunde_cli.domain.characters import HIDING

        hidden = unicodedata.category(ch) in _HIDDEN_CATEGORIES or HIDING.match(ch)
        out = _escape(cp) if hidden else ch
        # Bounded: a hostile text can hold many distinct characters, but not more than Unicode.
        if len(self) < 200_000:
            self[cp] = out
        return out


_MULTI = _Table({0x0A: "\n", 0x09: "\t"})
_SINGLE = _Table({0x0A: NEWLINE_MARK, 0x09: " "})


def clean(text: str, *, single_line: bool = False, limit: int | None = None) -> str:
    """Return text with every dangerous character made visible and inert; see module docstring."""
    out = text if _ALL_PLAIN.fullmatch(text) else _cleaned(text, single_line)
    if limit is not None and len(out) > limit:
        if limit <= 0:
            return ""
        cut = out[: limit - 1]
        if "\\" in cut[-_PARTIAL_ESCAPE_CHARS:]:
            cut = re.compile(_PARTIAL_ESCAPE).sub("", cut)
        out = cut.rstrip(SEQUENCE_TAIL) + ELLIPSIS
    return out


def _cleaned(text: str, single_line: bool) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    if re.compile(_MAY_HOLD_A_SEQUENCE).search(text):
        # Odd parts are whole emoji sequences (the pattern's one group): kept as they are.
        from sprechstunde_cli.domain.characters import EMOJI_SEQUENCE

        parts = EMOJI_SEQUENCE.split(text)
        out = "".join(p if i % 2 else _escaped(p, single_line) for i, p in enumerate(parts))
    else:
        out = _escaped(text, single_line)
    if not single_line and "\t" in out:
        out = out.expandtabs(TAB_SIZE)
    return out


def _escaped(text: str, single_line: bool) -> str:
    table = _SINGLE if single_line else _MULTI
    suspect = re.compile(_SUSPECT_SINGLE if single_line else _SUSPECT_MULTI)
    return suspect.sub(lambda m: m.group().translate(table), text)
