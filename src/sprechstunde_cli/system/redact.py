"""The one redaction of secrets from any text that is printed, logged or stored.

A server's error can quote our own request back (a proxy that echoes headers, a debug page),
so every text that may hold a server's words passes `redact` before it leaves the process:
`providers/http.py` for what a server answered, the store's writers for error columns,
`system/logs.py` for the log, `cli/funnel.py` and `Application.say`/`warn`/`fail` for the
terminal. Two passes:

1. the secrets this process holds (`remember`, which `credentials.Secret` calls for every token,
   API key and password it wraps), in every form a server may echo them: as they are,
   URL-encoded, JSON-escaped and base64 (also inside a longer base64 such as `Basic` auth);
2. whatever follows a credential's name: `Authorization: …`, `X-Api-Key: …`, `Cookie: …`,
   `Set-Cookie: …`, `password: …` (header-like, to the end of the value), `"access_token":
   "…"`, `'password': '…'` or `('password', '…')` (JSON, Python), `access_token=…` (query,
   form), and a credential-like value after `Bearer`/`Basic`. This catches a secret we never
   held, such as a session cookie. Ordinary words stay: "Basic Infos", "the bearer of the
   document" and a list like "'token', 'secret'" are prose, not credentials.

`summary` is what the store keeps of an error: redacted, on one line, and bounded.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Callable
from urllib.parse import quote, quote_plus

MARK = "[redacted]"
# Shorter values are not searched for as they are: "admin" would blank out words in every
# text. The name-based patterns still catch them after Authorization, X-Api-Key, password ….
MIN_SECRET_CHARS = 6
STORED_ERROR_CHARS = 400

_lock = threading.Lock()
_known: set[str] = set()
_forms: tuple[str, ...] = ()  # every searched form of every known secret, longest first


class _Lazy:
    """A pattern compiled when first used: these take milliseconds to compile, and most texts
    (every status line a command prints) hold none of the words that start them."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern

    @functools.cached_property
    def compiled(self) -> re.Pattern[str]:
        return re.compile(self.pattern)

    def sub(self, repl: Callable[[re.Match[str]], str] | str, text: str) -> str:
        return self.compiled.sub(repl, text)


# Names whose value is a secret wherever they appear, in any of the forms below.
_NAMES = (
    r"(?:proxy-)?authorization|x-api-key|api[-_]?key|x-auth-token|set-cookie|cookie"
    r"|access[-_]token|refresh[-_]token|client[-_]secret|password|passwd"
)
# JSON and query forms may also name a bare `token` or `secret`; header-like text may not,
# since the office's own hints say "paste its token: sprechstunde login matrix".
_VALUE_NAMES = rf"{_NAMES}|token|secret"
# A name starts a word, or follows a JSON-escaped line break ("…\\r\\nX-Api-Key: …").
_EDGE_BEFORE = r"(?:(?<![A-Za-z0-9_-])|(?<=\\[nrt]))"
_EDGE_AFTER = r"(?![A-Za-z0-9_-])"

# "password": "…", 'x-api-key': '…', password='…', and a pair in a tuple: ('authorization', '…').
# A comma alone does not make a pair: "'secret', 'x'" is a list of words, so the tuple form
# needs its opening parenthesis, and its closing one after the value: '("Cookie", "API-Key"?'
# is prose quoting two words.
_QUOTED = _Lazy(
    rf"""(?ix)
    (?P<key>
        (?P<q>["']?){_EDGE_BEFORE}(?:{_VALUE_NAMES}){_EDGE_AFTER}(?P=q)\s*[:=]\s*
      | \(\s*(?P<q2>["']){_EDGE_BEFORE}(?:{_VALUE_NAMES}){_EDGE_AFTER}(?P=q2)\s*,\s*
    )
    (?P<open>["'])(?:\\.|(?!(?P=open)).)*(?P=open)
    (?(q2)(?=\s*\)))
    """
)
# access_token=…, password=… in a query string or a form body
_QUERY = _Lazy(rf"(?i)(?P<key>{_EDGE_BEFORE}(?:{_VALUE_NAMES})=)[^&\s\"',;<>]+")
# Authorization: Bearer …, X-Api-Key: …, Cookie: … up to the end of the line, a quote or a
# backslash (a JSON-escaped line break)
_HEADER = _Lazy(rf"(?i)(?P<key>{_EDGE_BEFORE}(?:{_NAMES}){_EDGE_AFTER}\s*:\s*)[^\r\n\"\\]+")
# Bearer …, Basic … outside a header (which _HEADER takes whole): only a value that looks like
# a credential, since "Basic Infos" and "the bearer of the document" are words. So: 16 or more
# characters of the token alphabet, holding a digit, one of _~+/= or a capital after a small
# letter (a long German compound has none of these), and ending there.
_SCHEME = _Lazy(
    r"""(?x)
    (?P<key>\b(?i:bearer|basic)\s+)
    (?=[A-Za-z0-9\-._~+/]*(?:[0-9_~+/=]|[a-z][A-Z]))
    [A-Za-z0-9\-._~+/]{16,}=*
    (?![\w\-.~+/=])
    """
)
_REPEATED = _Lazy(rf"(?:{re.escape(MARK)}){{2,}}")


# Every pattern below needs one of these words (matched as case-blind as they are) or MARK: a
# text without any is left as it is, without compiling them.
_TRIGGER = re.compile(
    rf"(?i)authorization|api|cookie|token|secret|passw|bearer|basic|{re.escape(MARK)}"
)


def remember(secret: str) -> None:
    """Search every later text for `secret` (a token, API key or password this process holds)."""
    if len(secret) < MIN_SECRET_CHARS or secret in _known:
        return
    global _forms
    with _lock:
        _known.add(secret)
        found = {form for value in _known for form in _encodings(value)}
        _forms = tuple(sorted(found, key=len, reverse=True))


def forget_all() -> None:
    """Forget every remembered secret (a test's isolation, a new identity in one process)."""
    global _forms
    with _lock:
        _known.clear()
        _forms = ()


def redact(text: str) -> str:
    """`text` with every known secret and every credential's value replaced by MARK."""
    for form in _forms:
        if form in text:
            text = text.replace(form, MARK)
    if not _TRIGGER.search(text):
        return text
    text = _QUOTED.sub(lambda m: f"{m['key']}{m['open']}{MARK}{m['open']}", text)
    text = _HEADER.sub(lambda m: f"{m['key']}{MARK}", text)
    text = _QUERY.sub(lambda m: f"{m['key']}{MARK}", text)
    text = _SCHEME.sub(lambda m: f"{m['key']}{MARK}", text)
    return _REPEATED.sub(MARK, text)


def summary(text: str, limit: int = STORED_ERROR_CHARS) -> str:
    """What the store keeps of an error: redacted, whitespace runs made one space, at most
    `limit` characters (cut after redacting, so no part of a secret is left to cut)."""
    one_line = " ".join(redact(text).split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def _encodings(secret: str) -> set[str]:
    raw = secret.encode("utf-8")
    forms = {
        secret,
        quote(secret, safe=""),
        quote_plus(secret, safe=""),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
    }
    for offset in range(3):
        forms |= _base64_inside(raw, offset)
    return {form for form in forms if len(form) >= MIN_SECRET_CHARS}


def _base64_inside(raw: bytes, offset: int) -> set[str]:
    """The base64 characters that `raw` alone decides when it starts `offset` bytes into a
    longer value (Basic auth encodes "user:password"), in both alphabets, plus the whole
    encoding with and without padding when it stands alone."""
    import base64  # only once a secret is known: most commands redact with none

    encoded = base64.b64encode(bytes(offset) + raw).decode("ascii")
    first = -(-offset * 4 // 3)  # the first character made of `raw`'s bits only
    last = (offset + len(raw)) * 4 // 3  # the characters after it also hold what follows
    inner = encoded[first:last]
    forms = {inner, inner.replace("+", "-").replace("/", "_")}
    if offset == 0:
        forms |= {encoded, encoded.rstrip("="), base64.urlsafe_b64encode(raw).decode("ascii")}
    return forms
