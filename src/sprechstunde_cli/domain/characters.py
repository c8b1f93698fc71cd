"""Which characters can hide what a text says: the tables the sanitizer and the name rules share.

Unicode's properties are not all in Python's `unicodedata`, so the two that matter are written
out here from the Unicode Character Database (DerivedCoreProperties.txt, emoji-data.txt). Both
are stable: a code point, once in them, stays.
"""

from __future__ import annotations

import re

# Default_Ignorable_Code_Point: characters a renderer shows as nothing. A text can hide anything
# between them, and a name made only of them is blank.
_IGNORABLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
)
# Not ignorable to Unicode, but blank in every common font: the braille blank pattern, the
# Hangul fillers (also ignorable), and the Khmer inherent vowels (also ignorable).
_BLANK_LOOKING = "\u2800"

IGNORABLE = re.compile(f"[{_IGNORABLE}]")
HIDING = re.compile(f"[{_IGNORABLE}{_BLANK_LOOKING}]")

# Extended_Pictographic, in the blocks where emoji live (emoji-data.txt), close enough for
# telling a joined emoji from a joiner hidden between letters.
_PICTOGRAPHIC = (
    "\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u21aa\u231a-\u23ff\u24c2\u25aa-\u25fe"
    "\u2600-\u27bf\u2934\u2935\u2b05-\u2b55\u3030\u303d\u3297\u3299\U0001f000-\U0001faff"
)
_ELEMENT = f"[{_PICTOGRAPHIC}][\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]?"
# The sequences that make one emoji of several code points and so keep their joiners, variation
# selectors and tags: 👨‍👩‍👧, ❤️, 🏴󠁧󠁢󠁳󠁣󠁴󠁿 (a subdivision flag), 1️⃣ (a keycap).
EMOJI_SEQUENCE = re.compile(
    "("
    "\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f"
    "|[0-9#*]\ufe0f\u20e3"
    f"|{_ELEMENT}(?:\u200d{_ELEMENT})+"
    f"|[{_PICTOGRAPHIC}][\ufe0e\ufe0f]"
    ")"
)


def visible(text: str) -> bool:
    """Whether `text` shows anything at all: not only spaces, ignorables and blank letters."""
    return bool(HIDING.sub("", text).strip())
