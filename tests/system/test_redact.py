"""system/redact.py: the secrets the process holds, and every credential's value, never leave."""

from __future__ import annotations

import ast
import base64
import dataclasses
import json
import logging
import random
import re
import tomllib
from importlib import resources
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from sprechstunde_cli.domain.texts import DEFAULT_TEXTS
from sprechstunde_cli.system import logs
from sprechstunde_cli.system import redact as patterns
from sprechstunde_cli.system.credentials import Secret
from sprechstunde_cli.system.redact import MARK, redact, summary
from tests.support.archscan import MODULES
from tests.support.leaks import found_in

TOKEN = 'CANARY-TOKEN-5f3a+9e/0b=7c%"x'


def test_a_secret_is_redacted_in_every_form_once_the_process_holds_it() -> None:
    raw = TOKEN.encode()
    spelled = [
        TOKEN,
        quote(TOKEN, safe=""),
        quote_plus(TOKEN),
        json.dumps(TOKEN),
        base64.b64encode(raw).decode(),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
        # Basic auth: "user:token" in base64, so the token sits at an offset inside it.
        *(base64.b64encode(b"x" * n + b":" + raw).decode() for n in range(3)),
    ]
    text = " | ".join(spelled)
    assert found_in(redact(text).encode(), [TOKEN]) != []  # not held yet: nothing to look for
    Secret(TOKEN)
    cleaned = redact(text)
    assert found_in(cleaned.encode(), [TOKEN]) == []
    assert cleaned.count(MARK) >= len(spelled)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Authorization: Bearer abc.def-ghi", "Authorization: [redacted]"),
        ("proxy-authorization:Basic dXNlcjpwdw==", "proxy-authorization:[redacted]"),
        ("X-Api-Key: 0123456789\r\nAccept: */*", "X-Api-Key: [redacted]\r\nAccept: */*"),
        ("Cookie: a=b; session=xyz", "Cookie: [redacted]"),
        ("Set-Cookie: session=xyz; HttpOnly", "Set-Cookie: [redacted]"),
        ("password: hunter22", "password: [redacted]"),
        ('{"password": "hun\\"ter2", "ok": 1}', '{"password": "[redacted]", "ok": 1}'),
        (
            '{"access_token":"syt_abc","user_id":"@a:b"}',
            '{"access_token":"[redacted]","user_id":"@a:b"}',
        ),
        ("{'x-api-key': 'k3y'}", "{'x-api-key': '[redacted]'}"),
        ("[('authorization', 'Bearer k3y')]", "[('authorization', '[redacted]')]"),
        ("GET /sync?access_token=abc&since=s1", "GET /sync?access_token=[redacted]&since=s1"),
        (
            "ws://h/ws?session=default&x-api-key=k3y",
            "ws://h/ws?session=default&x-api-key=[redacted]",
        ),
        ("user=a&password=b&token=c", "user=a&password=[redacted]&token=[redacted]"),
        # Outside a header, a value after Bearer/Basic is taken when it looks like a credential.
        ("said: Bearer syt_YWxpY2U_Cq3vRm9x", "said: Bearer [redacted]"),
        ("echo Basic dXNlcjpodW50ZXIyMg==", "echo Basic [redacted]"),
        ("Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln", "Bearer [redacted]"),
        (
            "[('password', 'hunter22'), ('accept', '*/*')]",
            "[('password', '[redacted]'), ('accept', '*/*')]",
        ),
        (
            '"error": "Authorization: Bearer k\\nX-Api-Key: k2"',
            '"error": "Authorization: [redacted]\\nX-Api-Key: [redacted]"',
        ),
    ],
)
def test_whatever_follows_a_credentials_name_is_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected
    assert redact(expected) == expected  # redacting twice changes nothing


def test_the_offices_own_words_are_never_redacted() -> None:
    """Every string in the package (hints name `login`, tokens and keys) comes out unchanged:
    redaction may blank a server's words, never the fix we tell the operator."""
    changed = []
    for module in MODULES:
        if module.rel == "system/redact.py":
            continue
        for node in ast.walk(module.tree):
            literal = node.value if isinstance(node, ast.Constant) else None
            if isinstance(literal, str) and redact(literal) != literal:
                changed.append(f"{module.rel}:{node.lineno}: {literal!r}")
    assert changed == []


# What the office writes: session titles, greetings, notes, and the words a pattern keys on
# (Basic, Bearer, Token, Passwort, Cookie, Secret …) used as words, in German and English.
OFFICE_PROSE = [
    "Die Sprechstunde Basic Infos",
    "Basic-Infos zur Sprechstunde am Mittwoch",
    "Basic Informationsveranstaltung zum Haushalt 2027",
    "bearer of the document",
    "The bearer of this letter may collect the permit.",
    "Bearer Bonds und andere Wertpapiere: Sprechstunde der Kämmerei",
    "Token-Ausgabe für den Bürgerhaushalt: Jede Bürgerin erhält einen Token.",
    "Ein Token als Dankeschön",
    "'secret', 'x'",
    "Die Stichworte sind 'token', 'secret' und 'password'.",
    "Bitte nennen Sie uns nie Ihr Passwort oder Ihre PIN.",
    "Passwort vergessen? Das Bürgerbüro hilft gern.",
    "Wir setzen keine Cookies. Cookie-Hinweis: nur technisch nötige Cookies.",
    "Der Keks (engl. Cookie) zum Kaffee gehört zur Sprechstunde.",
    "Secret Santa im Rathaus, Basic Training für Ehrenamtliche",
    "Guten Tag, Frau Mustermann! Vielen Dank für Ihre Nachricht.",
    "Sprechstunde der Oberbürgermeisterin: Basic questions welcome, tokens of thanks too.",
    "Good morning! The mayor's office hour starts at 4 pm; basic questions are welcome.",
    "Access to the town hall is step-free; the access card is at the front desk.",
    "API-Schlüssel und Zugangsdaten gibt die IT-Abteilung aus, nicht die Sprechstunde.",
    "Session 'mittwoch' (WhatsApp-Sprechstunde der Oberbürgermeisterin) is open.",
]


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def _office_corpus() -> list[str]:
    example = resources.files("sprechstunde_cli").joinpath("config.example.toml").read_text()
    comments = [line.lstrip("# ") for line in example.splitlines() if line.startswith("#")]
    texts = [str(v) for v in dataclasses.asdict(DEFAULT_TEXTS).values() if isinstance(v, str)]
    return OFFICE_PROSE + _strings(tomllib.loads(example)) + comments + texts


def test_ordinary_office_prose_comes_out_unchanged() -> None:
    Secret(TOKEN)  # a secret held changes nothing for words that are not it
    changed = [text for text in _office_corpus() if redact(text) != text]
    assert changed == []


def test_two_quoted_words_in_parentheses_are_no_pair() -> None:
    # Found by the seeded sentences below: prose quoting names is no Python tuple of a header.
    text = 'Required ("Cookie", "API-Key"? just – zur Fotos!'
    assert redact(text) == text
    assert redact("('cookie', 'a=b') ") == "('cookie', '[redacted]') "


def test_random_office_sentences_come_out_unchanged() -> None:
    # A seeded property test (hypothesis is not installed): the words of the corpus, and the
    # words a pattern keys on, in any order, with the punctuation of prose and quotes.
    rng = random.Random(20261202)
    words = sorted({w for text in _office_corpus() for w in re.findall(r"[\w'.-]+", text)})
    words += ["Basic", "basic", "Bearer", "bearer", "Token", "token", "Passwort", "password",
              "Cookie", "cookie", "Secret", "secret", "Authorization", "API-Key"]  # fmt: skip
    glue = [" ", " ", " ", ", ", ". ", " – ", "? ", "! ", " (", ") "]
    changed = []
    for _ in range(3000):
        parts = []
        for _ in range(rng.randint(1, 12)):
            word = rng.choice(words)
            quote = rng.choice(["", "", "", "'", '"'])
            parts.append(f"{quote}{word}{quote}{rng.choice(glue)}")
        text = "".join(parts).strip()
        if redact(text) != text:
            changed.append(text)
    assert changed == []


def test_short_secrets_are_left_to_the_patterns() -> None:
    Secret("admin")  # searching for it as it is would blank out "server admin" everywhere
    assert redact("the server admin") == "the server admin"
    assert redact("X-Api-Key: admin") == "X-Api-Key: [redacted]"


def test_a_summary_is_one_bounded_line_cut_after_redacting() -> None:
    Secret(TOKEN)
    text = "x" * 395 + TOKEN + "\n\tmore"
    kept = summary(text, limit=400)
    assert len(kept) == 400 and kept.endswith("…")
    assert found_in(kept.encode(), [TOKEN]) == []
    assert "CANARY" not in kept  # not even a cut-off start of it
    assert summary("a\n  b\r\nc") == "a b c"


def test_the_log_is_redacted_as_it_is_written(tmp_path: Path) -> None:
    Secret(TOKEN)
    log_file = tmp_path / "log" / "sprechstunde.log"
    logs.configure(log_file)
    logs.get("test").warning("send failed: %s", f"echo {TOKEN} / Cookie: session=abc")
    for handler in logging.getLogger(logs.LOGGER).handlers:
        handler.flush()
    written = log_file.read_bytes()
    assert b"send failed: echo [redacted] / Cookie: [redacted]" in written
    assert found_in(written, [TOKEN]) == []


def _every_pattern(text: str) -> str:
    """What redact() does after the known secrets, without the quick look for trigger words."""
    text = patterns._QUOTED.sub(lambda m: f"{m['key']}{m['open']}{MARK}{m['open']}", text)
    text = patterns._HEADER.sub(lambda m: f"{m['key']}{MARK}", text)
    text = patterns._QUERY.sub(lambda m: f"{m['key']}{MARK}", text)
    text = patterns._SCHEME.sub(lambda m: f"{m['key']}{MARK}", text)
    return patterns._REPEATED.sub(MARK, text)


def test_the_quick_look_for_trigger_words_never_changes_the_result() -> None:
    # Case-blind matching also takes the long s (ſ) for s and the Kelvin sign (K) for k: the
    # quick look must find what the patterns find, in any spelling.
    words = [
        "Authorization", "PROXY-authorization", "X-Api-Key", "api_key", "apikey",
        "x-auth-to\u212aen", "Set-Cookie", "cookie", "access_token", "refresh-token",
        "client_secret", "pa\u017f\u017fword", "passwd", "token", "SECRET", "Bearer",
        "ba\u017fic", MARK, "Basic Infos", "the bearer of",
    ]  # fmt: skip
    glue = [": ", "=", '": "', "': '", "('", "', '", " ", "\\r\\n", "&", "\n", '"']
    values = ["abcDEF1234567890xyz", "Zugang", "eyJhbGciOiJIUzI1NiJ9.e30.x", "'q'", '"w"', ""]
    rng = random.Random(16)
    for _ in range(4000):
        text = "".join(rng.choice([*words, *glue, *values]) for _ in range(rng.randint(1, 9)))
        assert redact(text) == _every_pattern(text), repr(text)


def test_the_log_follows_the_data_dir_and_stays_private(tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "log" / "s.log", tmp_path / "b" / "log" / "s.log"
    logs.configure(first)
    assert first.stat().st_mode & 0o777 == 0o600  # made at once, before any line
    logs.get("test").info("one")
    first.unlink()  # gone before the next data dir's first line: made again, 0600
    logs.configure(second)
    logs.get("test").info("two")
    for handler in logging.getLogger(logs.LOGGER).handlers:
        handler.flush()
    assert b"two" in second.read_bytes() and second.stat().st_mode & 0o777 == 0o600
    assert not first.exists()  # the line went to the file named last
