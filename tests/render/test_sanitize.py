"""The one sanitizer: hostile characters become visible escapes, everything else passes."""

from __future__ import annotations

import random
import re
import unicodedata

import pytest

from sprechstunde_cli.render import sanitize
from sprechstunde_cli.render.sanitize import clean

BIDI = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Blank or invisible, though not format characters: the combining grapheme joiner, Hangul
# fillers, Khmer inherent vowels, variation selectors (Default_Ignorable_Code_Point in
# Unicode's DerivedCoreProperties, plus the braille blank), written out independently.
BLANK = {0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x3164, 0xFFA0, 0x2800}
SELECTORS = {*range(0x180B, 0x1810), *range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)}
# The joined emoji a text may keep whole (independently of the tables in src/).
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
HEART = "\u2764\ufe0f"
SCOTLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
KEYCAP = "1\ufe0f\u20e3"
RAINBOW_FLAG = "\U0001f3f3\ufe0f\u200d\U0001f308"
SEQUENCES = (FAMILY, HEART, SCOTLAND, KEYCAP, RAINBOW_FLAG)


def dangerous(ch: str, *, single_line: bool = False) -> bool:
    """An independent statement of what must never reach a terminal raw."""
    cp = ord(ch)
    if ch in "\n\t":
        return single_line or ch == "\t"  # tabs are expanded: widths are what the terminal shows
    return (
        cp < 0x20
        or 0x7F <= cp <= 0x9F
        or ch in BIDI
        or cp in (0x2028, 0x2029)
        or 0xD800 <= cp <= 0xDFFF
        or cp in BLANK
        or cp in SELECTORS
        or unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn"}
    )


def without_sequences(text: str) -> str:
    for sequence in SEQUENCES:
        text = text.replace(sequence, "")
    # 👍 with its presentation selector, alone or joined to another 👍 (the random alphabet's).
    return re.sub("\U0001f44d\ufe0f?(?:\u200d\U0001f44d\ufe0f?)*", "", text)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
        ("\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H"),
        ("\x1b]52;c;ZXZpbA==\x07", "\\x1b]52;c;ZXZpbA==\\x07"),
        (
            "\x1b]8;;https://example.org\x1b\\click\x1b]8;;\x1b\\",
            "\\x1b]8;;https://example.org\\x1b\\click\\x1b]8;;\\x1b\\",
        ),
        ("\x9b2J", "\\x9b2J"),
        ("ring\x07", "ring\\x07"),
        ("abc\x08\x08\x08xyz", "abc\\x08\\x08\\x08xyz"),
        ("nul\x00del\x7f", "nul\\x00del\\x7f"),
        ("\x85next line", "\\x85next line"),
        ("Rechnung_\u202efdp.exe", "Rechnung_\\u202efdp.exe"),
        ("a\u200bb\u200dc\u200cd", "a\\u200bb\\u200dc\\u200cd"),
        ("\ufeffBOM", "\\ufeffBOM"),
        ("Stra\u00adße", "Stra\\xadße"),
        ("line\u2028sep\u2029para", "line\\u2028sep\\u2029para"),
        ("lone \ud800 surrogate", "lone \\ud800 surrogate"),
        ("private \ue000", "private \\ue000"),
        ("tag \U000e0041", "tag \\U000e0041"),
        ("nonchar \U0010ffff", "nonchar \\U0010ffff"),
    ],
)
def test_hostile_characters_become_visible_escapes(raw: str, shown: str) -> None:
    assert clean(raw) == shown
    assert clean(raw, single_line=True) == shown


@pytest.mark.parametrize("bidi", list(BIDI))
def test_every_bidi_control_is_escaped(bidi: str) -> None:
    assert clean(f"a{bidi}b") == f"a\\u{ord(bidi):04x}b"


def test_a_lone_carriage_return_never_survives() -> None:
    assert clean("harmless\rEVIL") == "harmless\\x0dEVIL"
    assert clean("harmless\rEVIL", single_line=True) == "harmless\\x0dEVIL"
    assert "\r" not in clean("\r\r\n\r", single_line=True)


def test_multi_line_keeps_newlines_expands_tabs_and_folds_crlf() -> None:
    assert clean("Hallo\r\nWelt\n\tEnde") == "Hallo\nWelt\n    Ende"
    assert clean("ab\tc\nabcd\te") == "ab  c\nabcd    e"  # to the next stop of 4, per line


def test_single_line_marks_line_ends_and_flattens_tabs() -> None:
    assert clean("Hallo\r\nWelt\n\tEnde", single_line=True) == "Hallo⏎Welt⏎ Ende"


@pytest.mark.parametrize(
    "markup",
    ["[bold]x[/bold]", "[/x]", "[link=https://example.org]x[/link]", "[red on white]"],
)
def test_rich_markup_passes_unchanged_as_text(markup: str) -> None:
    assert clean(markup) == markup


@pytest.mark.parametrize(
    "text",
    [
        "Grüße aus der Müllerstraße, Äpfel & Öl",
        "Danke 👍😀🏳️",  # the flag's variation selector (Mn) is not a format character
        "e\u0301 combining accent",
        "中文 العربية русский",
        "Line\nnewline",
        "\\x1b typed by a citizen",
    ],
)
def test_ordinary_text_is_untouched(text: str) -> None:
    assert clean(text) == text


def test_limit_truncates_with_an_ellipsis() -> None:
    assert clean("abcdef", limit=4) == "abc…"
    assert clean("abcd", limit=4) == "abcd"
    assert clean("abcdef", limit=1) == "…"
    assert clean("abcdef", limit=0) == ""


def test_limit_counts_after_escaping_and_never_leaves_half_an_escape() -> None:
    assert clean("\x1b", limit=4) == "\\x1b"
    assert clean("ab\u202ecd", limit=6) == "ab…"
    assert clean("ab\x1bcd", limit=7) == "ab\\x1b…"


def test_every_code_point_comes_out_inert() -> None:
    # Exhaustive over planes 0, 1 and 14 (all controls, format and bidi characters live there);
    # the CJK, private-use and empty planes are sampled at both ends.
    sampled = [p * 0x10000 + off for p in (2, 3, *range(4, 14), 15, 16) for off in range(0x100)]
    sampled += [p * 0x10000 + 0xFFFE for p in range(2, 17)]
    code_points = [*range(0, 0x20000), *range(0xE0000, 0xF0000), *sampled, 0x10FFFF]
    out = clean("".join(map(chr, code_points)))
    assert not any(dangerous(ch) for ch in set(out))
    # Single-line differs only in line endings and tabs, all in the first block.
    out = clean("".join(map(chr, range(0x3000))), single_line=True)
    assert not any(dangerous(ch, single_line=True) for ch in set(out))


def test_random_strings_keep_the_invariants() -> None:
    # A seeded property test (hypothesis is not installed): hostile and ordinary characters mixed.
    rng = random.Random(20240506)
    alphabet = (
        "\x00\x07\x08\t\n\r\x1b\x7f\x85\x9b[]/=\\;"
        + BIDI
        + "\u200b\u200d\ufeff\u2028\u2029\ud800\udfff\ue000\U000e0041\U0010ffff"
        + "\u034f\u3164\u2800\ufe0f\u20e3"
        + "aäößZ 👍中1"
    )
    for _ in range(2000):
        raw = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
        limit = rng.choice([None, 0, 1, 5, 20])
        single_line = rng.random() < 0.5
        out = clean(raw, single_line=single_line, limit=limit)
        shown = without_sequences(out)
        assert not any(dangerous(ch, single_line=single_line) for ch in shown), repr(raw)
        if limit is not None:
            assert len(out) <= limit
        if limit is None and not single_line:
            assert clean(out) == out  # escaping is final: a second pass changes nothing


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\u034fAnna", "\\u034fAnna"),  # combining grapheme joiner
        ("\u115f\u1160", "\\u115f\\u1160"),  # Hangul choseong/jungseong fillers
        ("\u3164", "\\u3164"),  # Hangul filler
        ("\uffa0", "\\uffa0"),  # halfwidth Hangul filler
        ("\u2800", "\\u2800"),  # braille blank
        ("\u17b4\u17b5", "\\u17b4\\u17b5"),  # Khmer inherent vowels
        ("a\ufe0fb", "a\\ufe0fb"),  # a variation selector on a letter
        ("x\u200d", "x\\u200d"),  # a joiner with nothing to join
        ("\U0001f468\u200dx", "\U0001f468\\u200dx"),  # joining an emoji to a letter
        ("\U000e0041\U000e007f", "\\U000e0041\\U000e007f"),  # tags without a black flag
    ],
)
def test_blank_and_default_ignorable_characters_are_escaped(raw: str, shown: str) -> None:
    assert clean(raw) == shown
    assert clean(raw, single_line=True) == shown


@pytest.mark.parametrize("sequence", SEQUENCES)
def test_whole_emoji_sequences_stay_intact(sequence: str) -> None:
    text = f"Grüße {sequence} und {sequence}!"
    assert clean(text) == text
    assert clean(text, single_line=True) == text


def test_a_cut_through_an_emoji_sequence_leaves_no_dangling_joiner() -> None:
    for limit in range(1, len(FAMILY) + 3):
        out = clean(f"a{FAMILY}", limit=limit)
        assert not out.rstrip("…").endswith(("\u200d", "\ufe0f")), (limit, out)


def test_the_quick_path_keeps_only_what_the_careful_one_keeps() -> None:
    # Characters outside _SUSPECT_* skip the per-character check: each of them must be one the
    # check would keep as it is (printable, not hiding), one by one and in a text.
    quick = [
        cp
        for cp in range(0x110000)
        if not 0xD800 <= cp <= 0xDFFF  # surrogates are no text
        if not re.match(sanitize._SUSPECT_MULTI, chr(cp)) and chr(cp) not in "\t\n"
    ]
    assert {0x2022, 0x201E, 0x20AC, 0x2190, 0x2192} <= set(quick)  # •, „, €, ←, →
    assert 0x2028 not in quick and 0x00AD not in quick and 0x200B not in quick
    for cp in quick:
        assert sanitize._MULTI[cp] == chr(cp), hex(cp)
    assert clean("„Frage“ – 5 € • bitte…") == "„Frage“ – 5 € • bitte…"


def test_the_plain_path_keeps_only_what_the_careful_one_keeps() -> None:
    # A text of _ALL_PLAIN's characters only is returned without the escaping pass (then only
    # cut): each of them must be one that pass keeps as it is, in both modes, and no line
    # ending or tab (which the careful pass turns into something else).
    plain = [
        cp
        for cp in range(0x110000)
        if not 0xD800 <= cp <= 0xDFFF and sanitize._ALL_PLAIN.fullmatch(chr(cp))
    ]
    assert {0x20, 0x7E, 0xDF, 0x2022, 0x20AC, 0x2192} <= set(plain)  # space ~ ß • € →
    assert not {0x09, 0x0A, 0x0D, 0x7F, 0xAD, 0x2028} & set(plain)
    for cp in plain:
        assert sanitize._cleaned(chr(cp), single_line=False) == chr(cp), hex(cp)
        assert sanitize._cleaned(chr(cp), single_line=True) == chr(cp), hex(cp)
    assert sanitize._ALL_PLAIN.fullmatch("„Frage“ – 5 € • Straße") is not None


def test_a_typed_backslash_is_cut_like_half_an_escape_only_at_the_end() -> None:
    # A citizen's own backslash takes the plain path too: a cut that leaves what looks like
    # half an escape loses it, up to the longest ("\U" and seven hex digits), not further back.
    assert clean("typed \\u20 here", limit=9) == "typed …"
    assert clean("a\\U1234567cd", limit=11) == "a…"  # the backslash 9 characters from the cut
    assert clean("ab\\U12345678cd", limit=13) == "ab\\U12345678…"  # a whole-looking one stays
    assert clean("C:\\Daten\\Ordner", limit=12) == "C:\\Daten\\Or…"
    assert clean("Pfad C:\\x1 und mehr", limit=10, single_line=True) == "Pfad C:…"
