"""Every operator text goes through gettext: a literal at an output point must be `_("…")`.

The output points: an error's message and hint, `Application.say/warn/fail/confirm/ask`, a
Typer/Click `help=`, and the words a render/ view puts on the screen (`Text(…)`,
`.append(…)`, a table's column or title, a module-level table of headers). An f-string there
would give the catalogue a msgid that changes with every value, so it must become
`_("… {name} …").format(name=…)`. A failure lists file:line of every unwrapped literal: wrap it
in `_()` (from `sprechstunde_cli.i18n`), then run `bash scripts/i18n` and translate it.
"""

from __future__ import annotations

import ast
import re

from tests.architecture.test_rules import ERROR_CLASSES
from tests.support.archscan import MODULES, Module, callee, violations

_WRAPPERS = {"_", "ngettext", "N_"}
_LINE_METHODS = {"say", "warn", "fail", "confirm", "ask"}
_VIEW_CALLS = {"Text", "append", "add_column", "Panel"}
_VIEW_KEYWORDS = {"title", "caption", "help", "short_help", "epilog", "prompt"}
# A word of at least two letters: "—", " · ", "→ " and "#" are signs, not language.
_WORDS = re.compile(r"[A-Za-zÄÖÜäöüß]{2}")
# Rich style names given where a view would take text: not words a person reads.
_STYLES = re.compile(r"(bold|dim|italic|red|green|yellow|cyan|magenta|reverse|underline| )+")
# Where a literal is not for a person to read; the reason for each is the comment beside it.
ALLOWED: dict[str, str] = {}


def _language(node: ast.AST) -> bool:
    """True if `node` is a literal (or builds one) holding words and not a style name."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(_WORDS.search(node.value)) and not _STYLES.fullmatch(node.value)
    if isinstance(node, ast.JoinedStr):
        return any(_language(part) for part in node.values if isinstance(part, ast.Constant))
    if isinstance(node, ast.BinOp):
        return _language(node.left) or _language(node.right)
    if isinstance(node, ast.IfExp):
        return _language(node.body) or _language(node.orelse)
    return False


# An HTTP exchange's `what` ("the sync") is quoted in every error it raises: the index of the
# argument, after the client for `http.request`/`http.download` themselves.
_EXCHANGES = {"request": 2, "call": 2, "call_list": 1, "download": 1, "lookup": 1}


def _what(call: ast.Call, name: str) -> list[ast.expr]:
    if name not in _EXCHANGES or not isinstance(call.func, ast.Attribute):
        return []
    index = _EXCHANGES[name] + (ast.unparse(call.func.value) == "http")
    keyword = [k.value for k in call.keywords if k.arg == "what"]
    return keyword or call.args[index : index + 1]


def _spoken(call: ast.Call, *, in_views: bool) -> list[ast.expr]:
    """The arguments of `call` that a person reads, if it is an output point. `in_views`: the
    module is in render/ or cli/, where `Text(…)` and `.append(…)` build a screen (elsewhere
    `.append` fills any list, e.g. the public calendar's German lines)."""
    name = callee(call)
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    if name in ERROR_CLASSES:
        return [*call.args[:2], *(keywords[k] for k in ("message", "hint") if k in keywords)]
    spoken = [v for k, v in keywords.items() if k in _VIEW_KEYWORDS or _is_hint(k)]
    if name == "Service":  # an HTTP service's name and credential are quoted in its errors
        spoken += [v for k, v in keywords.items() if k in {"name", "credential"}]
    if isinstance(call.func, ast.Attribute) and name in _LINE_METHODS:
        spoken += call.args[:1]
    if name in _VIEW_CALLS and in_views:
        spoken += call.args[:1]
    return spoken + _what(call, name)


def _is_hint(name: str) -> bool:
    """A keyword, field or constant that holds a hint or a fix: `hint=`, `login_hint`,
    `LOGIN_HINT`, `_STATE_HINTS`, `fix=`."""
    return name.lower().rstrip("s").endswith("hint") or name == "fix"


def _hint_constants(m: Module) -> list[ast.expr]:
    """Hints kept in a constant (or a dict of them), a variable or a class field's default."""
    found: list[ast.expr] = []
    for node in ast.walk(m.tree):
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        value = getattr(node, "value", None)
        if value is None or not any(_is_hint(n) or n == "credential" for n in names):
            continue
        found += (
            [v for v in value.values if v is not None] if isinstance(value, ast.Dict) else [value]
        )
    return found


def unwrapped(m: Module) -> list[tuple[int, str]]:
    if m.rel in ALLOWED:
        return []
    hits = [
        (value.lineno, f"{ast.unparse(value)[:60]} (a hint) is not wrapped in _() or N_()")
        for value in _hint_constants(m)
        if _language(value)
    ]
    for node in ast.walk(m.tree):
        if isinstance(node, ast.Call) and callee(node) not in _WRAPPERS:
            hits += [
                (arg.lineno, f"{callee(node)}({ast.unparse(arg)[:60]}) is not wrapped in _()")
                for arg in _spoken(node, in_views=m.under("render", "cli"))
                if _language(arg)
            ]
        elif (
            m.under("render")
            and isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Tuple)
            and any(
                isinstance(t, ast.Name) and t.id.endswith(("HEADERS", "LABELS"))
                for t in node.targets
            )
        ):
            hits += [
                (e.lineno, f"{ast.unparse(e)[:60]} (a header) is not wrapped in N_() or _()")
                for e in node.value.elts
                if _language(e)
            ]
    return hits


# render/ modules whose literals are not words for a person: the JSON shapes' keys, the
# sanitizer's character classes, the console's type names.
NOT_VIEWS = {
    "render/jsonout.py": "JSON keys and values are a stable machine format, never translated",
    "render/sanitize.py": "holds Unicode category names and patterns, no words",
    "render/console.py": "builds consoles; its only literal is a type name",
    "render/plain.py": "measures and cuts lines; its literals are environment variable names, a "
    "type name and a character class",
    "render/receipt_pdf.py": "lays out the rows render/receipt.py has translated; its literals "
    "are a language tag, font, encoding and fpdf option names",
}
# Keyword arguments that take a name, a style or a format rather than words.
_TECHNICAL_KEYWORDS = {
    *("style", "overflow", "justify", "end", "sep", "box", "header_style", "text_format"),
}
# Unit symbols and Rich's own option names, the same in every language.
_SYMBOLS = re.compile(r"[KMG]B|UTC.*|ellipsis|fold|crop")


def _not_words(tree: ast.AST) -> set[int]:
    """ids of the literals in `tree` that are not text for a person: docstrings, dict keys,
    subscripts, comparisons, technical keyword values, the insides of `_()` and of f-string
    fields."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        inner: list[ast.AST] = []
        if isinstance(node, ast.Call) and callee(node) in _WRAPPERS:
            inner = [node]
        elif isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef) and node.body:
            first = node.body[0]
            inner = [first.value] if isinstance(first, ast.Expr) else []
        elif isinstance(node, ast.keyword) and node.arg in _TECHNICAL_KEYWORDS:
            inner = [node.value]
        elif isinstance(node, ast.Subscript):
            inner = [node.slice]
        elif isinstance(node, ast.Compare):
            inner = [node]
        elif isinstance(node, ast.Dict):
            inner = [k for k in node.keys if k is not None]
        elif isinstance(node, ast.FormattedValue):
            inner = [node.value]
        for part in inner:
            skip.update(id(n) for n in ast.walk(part))
    return skip


def untranslated_view_words(m: Module) -> list[tuple[int, str]]:
    """Any literal with words in a render/ view that is not in `_()` or `N_()`: everything a
    view returns is read by the operator, whichever way it reaches the screen."""
    if not m.under("render") or m.rel in NOT_VIEWS:
        return []
    skip = _not_words(m.tree)
    hits = []
    for node in ast.walk(m.tree):
        if id(node) in skip or not isinstance(node, ast.Constant | ast.JoinedStr):
            continue
        if _language(node) and not _SYMBOLS.fullmatch(ast.unparse(node).strip("'\"f")):
            skip.update(id(n) for n in ast.walk(node))
            hits.append((node.lineno, f"{ast.unparse(node)[:60]} is not wrapped in _()"))
    return hits


def test_every_word_in_a_view_is_translated() -> None:
    found = violations(untranslated_view_words)
    assert found == [], "wrap these in _() or N_(), then run scripts/i18n:\n" + "\n".join(found)
    assert set(NOT_VIEWS) <= {m.rel for m in MODULES}


def test_the_view_word_detector_finds_the_usual_spellings() -> None:
    source = (
        '"""A view."""\n'
        'x = f"{n} threads"\n'  # 2
        'y = _("{n} threads").format(n=n)\n'
        'z = {"open": N_("open")}\n'
        'Text("—", style="dim bold")\n'
        'lines = ["Next steps:"]\n'  # 6
        'if state == "purged": pass\n'
        "w = f\"{_('Thread'):>6}\"\n"
    )
    hits = untranslated_view_words(Module("render/x.py", "x", ast.parse(source)))
    assert [line for line, _ in hits] == [2, 6]
    assert untranslated_view_words(Module("store/x.py", "x", ast.parse(source))) == []


def test_every_operator_text_is_wrapped_for_translation() -> None:
    found = violations(unwrapped)
    assert found == [], "wrap these in _() (sprechstunde_cli.i18n), then run scripts/i18n:\n" + (
        "\n".join(found)
    )


def test_the_detector_finds_the_usual_spellings() -> None:
    source = (
        "raise StateError('Session closed.', hint='Run open.')\n"  # 1: message and hint
        "raise ConfigError(f'bad {key}', _('Fix it.'))\n"  # 2: an f-string message
        "application.say('Sent ' + str(n))\n"  # 3
        "application.warn(_('ok'))\n"
        "typer.Option('--x', help='Do it.')\n"  # 5
        "Text('since', style='dim')\n"  # 6
        "Text('—', style='dim')\n"
        "cell.append(' ', style='bold')\n"
        "cell.append(_('more {n}').format(n=n))\n"
        "application.say(message)\n"
        "raise StateError(_('Closed.'), hint=_('Run {c}.').format(c=c))\n"
        "table.add_column(f'{x}', style='bold')\n"
        "self.api.call('GET', path, 'the sync')\n"  # 13
        "http.request(client, 'GET', path, _('the sync'), SERVICE)\n"
        "http.download(client, path, 'the file', SERVICE, 10)\n"  # 15
        "LOGIN_HINT = 'Run: sprechstunde login'\n"  # 16
        "S = Service(name='WAHA', login_hint=LOGIN_HINT, network_hint='Start it.')\n"  # 17
        "_STATE_HINTS = {'A': 'Pair the phone.', 'B': _('Wait.')}\n"  # 18
        "def f():\n    hint = 'Write it.'\n"  # 20
    )
    hits = unwrapped(Module("render/x.py", "x", ast.parse(source)))
    assert sorted({line for line, _ in hits}) == [1, 2, 3, 5, 6, 13, 15, 16, 17, 18, 20]
    assert len([line for line, _ in hits if line == 1]) == 2
    headers = unwrapped(Module("render/y.py", "y", ast.parse("_HEADERS = ('#', 'citizen')\n")))
    assert [text for _, text in headers] == ["'citizen' (a header) is not wrapped in N_() or _()"]


def test_allowed_entries_are_not_stale() -> None:
    assert set(ALLOWED) <= {m.rel for m in MODULES}
