"""Code rules of docs/ARCHITECTURE.md: time passed in, no name branches, no markup, hints."""

from __future__ import annotations

import ast

from tests.support.archscan import (
    MODULES,
    PKG,
    Module,
    callee,
    forbidden_imports,
    named,
    violations,
)

# --- time is passed in ----------------------------------------------------------------------------

_WALL_CLOCK = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
    ("time", "sleep"),
    ("time", "monotonic"),
    ("time", "monotonic_ns"),
    ("time", "perf_counter"),
}

# Each entry says why this module may read the clock or sleep below cli/.
_MAY_READ_THE_CLOCK = {
    "system/clock.py": "the system clock itself, which cli/ wires in",
    "providers/http_answer.py": "bounds how long a server may drip one answer: real time on a "
    "socket, like httpx's own timeouts",
}


def wall_clock_reads(m: Module) -> list[tuple[int, str]]:
    hits = []
    for node in ast.walk(m.tree):
        # Attribute, not only Call: `default_factory=datetime.now` reads the clock just the same.
        if isinstance(node, ast.Attribute):
            owner = node.value
            owner_name = (
                owner.id
                if isinstance(owner, ast.Name)
                else owner.attr
                if isinstance(owner, ast.Attribute)
                else ""
            )
            if (owner_name, node.attr) in _WALL_CLOCK:
                hits.append((node.lineno, f"reads the wall clock: {owner_name}.{node.attr}"))
        elif isinstance(node, ast.ImportFrom) and node.module == "time":
            for alias in node.names:
                if ("time", alias.name) in _WALL_CLOCK:
                    hits.append((node.lineno, f"imports the wall clock: time.{alias.name}"))
    return hits


def test_no_wall_clock_below_cli() -> None:
    def rule(m: Module) -> list[tuple[int, str]]:
        if m.under("cli") or m.rel in _MAY_READ_THE_CLOCK:
            return []
        return wall_clock_reads(m)

    assert violations(rule) == []


def test_the_clock_detector_finds_every_spelling() -> None:
    source = (
        "import datetime, time\nfrom time import time as t\n"
        "a = datetime.datetime.now()\nb = datetime.date.today()\nc = time.time()\n"
        "f = field(default_factory=datetime.now)\nd = clock.now()\n"
        "time.sleep(1)\ne = time.monotonic()\ntimer.sleep(1)\nfrom time import sleep\n"
    )
    hits = wall_clock_reads(Module("x.py", "x", ast.parse(source)))
    assert sorted(line for line, _ in hits) == [2, 3, 4, 5, 6, 8, 9, 11]
    for rel in _MAY_READ_THE_CLOCK:
        assert wall_clock_reads(named(rel)), f"stale allow-list entry {rel}"


# --- services ask capabilities, never names ---------------------------------------------------

_PROVIDER_NAMES = {"local", "matrix", "waha", "telegram", "signal", "whatsapp", "whatsapp-cloud"}


def _names_a_provider(node: ast.AST) -> str:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and sub.attr == "name":
            return f"`{ast.unparse(sub)}`"
        if isinstance(sub, ast.Constant) and sub.value in _PROVIDER_NAMES:
            return repr(sub.value)
    return ""


def name_branches(m: Module) -> list[tuple[int, str]]:
    hits = []
    for node in ast.walk(m.tree):
        if isinstance(node, ast.Compare) and any(
            isinstance(op, ast.Eq | ast.NotEq | ast.In | ast.NotIn | ast.Is | ast.IsNot)
            for op in node.ops
        ):
            for operand in (node.left, *node.comparators):
                if what := _names_a_provider(operand):
                    hits.append((node.lineno, f"compares {what}: {ast.unparse(node)}"))
                    break
        elif isinstance(node, ast.Match) and (what := _names_a_provider(node.subject)):
            hits.append((node.lineno, f"matches on {what}"))
        elif isinstance(node, ast.MatchValue) and (what := _names_a_provider(node.value)):
            hits.append((node.lineno, f"matches the case {what}"))
    return hits


def test_services_never_branch_on_a_provider_name() -> None:
    assert violations(lambda m: name_branches(m) if m.under("services") else []) == []


def test_the_name_branch_detector_finds_the_usual_spellings() -> None:
    source = (
        "if provider.name == 'x': pass\n"
        "if 'matrix' != kind: pass\n"
        "if spec.provider in ('local', 'waha'): pass\n"
        "match provider.name:\n    case _: pass\n"
        "match kind:\n    case 'telegram': pass\n"
        "if provider.capabilities.delete_remote: pass\n"
        "if count == 3: pass\n"
    )
    hits = name_branches(Module("services/x.py", "x", ast.parse(source)))
    assert sorted(line for line, _ in hits) == [1, 2, 3, 4, 7]


# --- citizen text is never markup ------------------------------------------------------------


def markup_uses(m: Module) -> list[tuple[int, str]]:
    hits = []
    for node in ast.walk(m.tree):
        if isinstance(node, ast.Attribute) and node.attr in {"from_markup", "render_markup"}:
            hits.append((node.lineno, f"uses {node.attr}"))
        elif isinstance(node, ast.alias) and node.name in {"from_markup", "render_markup"}:
            hits.append((node.lineno, f"imports {node.name}"))
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module == "rich.markup"
            and any(a.name == "render" for a in node.names)
        ):
            hits.append((node.lineno, "imports rich.markup.render"))
        elif (
            isinstance(node, ast.keyword)
            and node.arg == "markup"
            and not (isinstance(node.value, ast.Constant) and node.value.value is False)
        ):
            hits.append((node.value.lineno, f"passes markup={ast.unparse(node.value)}"))
        elif (
            isinstance(node, ast.Call)
            and callee(node) == "Console"
            and not any(
                k.arg == "markup" and isinstance(k.value, ast.Constant) and k.value.value is False
                for k in node.keywords
            )
        ):
            hits.append((node.lineno, "builds a Console without markup=False"))
    return hits


def test_no_rich_markup_anywhere() -> None:
    # By AST, not text: render/console.py's docstring names Text.from_markup to forbid it.
    assert violations(markup_uses) == []


def test_the_markup_detector_finds_the_usual_spellings() -> None:
    source = (
        "t = Text.from_markup(s)\nfrom rich.markup import render\n"
        "console.print(s, markup=True)\nc = Console()\nok = Console(markup=False)\n"
        "console.print(s, markup=flag)\n"
    )
    hits = markup_uses(Module("render/x.py", "x", ast.parse(source)))
    assert sorted(line for line, _ in hits) == [1, 2, 3, 4, 6]
    # The Console rule has something real to inspect: render/console.py builds the consoles.
    render = named("render/console.py").tree
    assert any(isinstance(n, ast.Call) and callee(n) == "Console" for n in ast.walk(render))


# --- errors name the fix ---------------------------------------------------------------------


def _error_classes() -> set[str]:
    """SprechstundeError and every subclass defined anywhere in the package, by name."""
    known = {"SprechstundeError"}
    classes = [n for m in MODULES for n in ast.walk(m.tree) if isinstance(n, ast.ClassDef)]
    grew = True
    while grew:
        grew = False
        for cls in classes:
            bases = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in cls.bases}
            if cls.name not in known and bases & known:
                known.add(cls.name)
                grew = True
    return known


ERROR_CLASSES = _error_classes()


def hintless_errors(m: Module) -> list[tuple[int, str]]:
    hits = []
    for node in ast.walk(m.tree):
        # Every construction, not only `raise X(...)`: an error built first and raised later counts.
        if not (isinstance(node, ast.Call) and callee(node) in ERROR_CLASSES):
            continue
        if any(isinstance(a, ast.Starred) for a in node.args) or any(
            k.arg is None for k in node.keywords
        ):
            continue  # *args/**kwargs: cannot tell statically
        hint = next((k.value for k in node.keywords if k.arg == "hint"), None)
        if hint is None and len(node.args) >= 2:
            hint = node.args[1]
        if hint is None:
            hits.append((node.lineno, f"{callee(node)}(...) without a hint"))
        elif isinstance(hint, ast.Constant) and not str(hint.value).strip():
            hits.append((node.lineno, f"{callee(node)}(...) with an empty hint"))
    return hits


def test_error_classes_are_found() -> None:
    assert {"SprechstundeError", "ConfigError", "StateError", "ProviderError"} <= ERROR_CLASSES
    source = "raise StateError('x')\nraise StateError('x', '')\nraise StateError('x', hint='Run')\n"
    assert [line for line, _ in hintless_errors(Module("x.py", "x", ast.parse(source)))] == [1, 2]


def test_every_error_names_the_fix() -> None:
    assert violations(hintless_errors) == []


# --- a thin command line ---------------------------------------------------------------------

# cli/application.py is the wiring: it opens the store and, through cli/messenger.py, builds
# providers for the commands.
_CLI_WIRING = {"cli/application.py", "cli/messenger.py"}


def store_calls(m: Module) -> list[tuple[int, str]]:
    """`<anything>.store.<method>(…)` or `store.<method>(…)`: the CLI asking the store directly
    instead of a service (in cli/, a name `store` is always the application's store)."""
    hits = []
    for node in ast.walk(m.tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value
        named_store = (isinstance(owner, ast.Attribute) and owner.attr == "store") or (
            isinstance(owner, ast.Name) and owner.id == "store"
        )
        if named_store:
            hits.append((node.lineno, f"calls the store: {ast.unparse(node.func)}"))
    return hits


def test_the_cli_parses_calls_a_service_and_renders() -> None:
    def rule(m: Module) -> list[tuple[int, str]]:
        if not m.under("cli") or m.rel in _CLI_WIRING:
            return []
        io = ("sqlite3", "subprocess", "shlex", "cryptography", "keyring")
        return [
            *store_calls(m),
            *forbidden_imports(
                m,
                f"{PKG}.store",
                f"{PKG}.providers",
                f"{PKG}.adapters",
                *io,
                allow=(f"{PKG}.providers.base",),
            ),
        ]

    assert violations(rule) == []


def test_the_store_call_detector_finds_the_usual_spellings() -> None:
    source = (
        "application.store.claim(1)\nself.store.thread(1)\nstore.claim(1)\n"
        "threads.claim(application.store, 1)\nstored.claim(1)\n"
    )
    hits = store_calls(Module("cli/x.py", "x", ast.parse(source)))
    assert [line for line, _ in hits] == [1, 2, 3]


# --- SQL lives in store/ -----------------------------------------------------------------------

_MAY_SPEAK_SQL = {
    "providers/local/server.py": "the local messenger's server is a SQLite file of its own",
    "providers/local/events.py": "turns the rows of that server into events",
    "providers/local/schema.py": "the table of that server's file",
    "providers/local/phone.py": "what a sandbox citizen's phone reads from that server",
    "providers/local/reading.py": "what the office and a citizen's phone look up on that server",
    "providers/matrix/crypto_store.py": "nio's crypto store is nio's own SQLite file; a purged "
    "room's keys are deleted through nio's models, as nio has no call for it",
}


def sql_statements(m: Module) -> list[tuple[int, str]]:
    hits = []
    for node in ast.walk(m.tree):
        if isinstance(node, ast.Call) and callee(node) in {
            "execute",
            "executemany",
            "executescript",
        }:
            hits.append((node.lineno, f"runs SQL: {callee(node)}"))
    return [*hits, *forbidden_imports(m, "sqlite3")]


def test_no_sql_outside_the_store() -> None:
    def rule(m: Module) -> list[tuple[int, str]]:
        if m.under("store") or m.rel in _MAY_SPEAK_SQL:
            return []
        return sql_statements(m)

    assert violations(rule) == []
    for rel in _MAY_SPEAK_SQL:
        assert sql_statements(named(rel)), f"stale allow-list entry {rel}"


# --- wiring is passed in, never patched in -------------------------------------------------------


def test_no_module_level_factories_for_tests_to_overwrite() -> None:
    def rule(m: Module) -> list[tuple[int, str]]:
        hits = []
        for node in m.tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            if isinstance(node, ast.AnnAssign):
                targets = [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id.endswith("_FACTORY"):
                    hits.append((node.lineno, f"module-level factory {target.id}"))
        return hits

    assert violations(rule) == []


# --- messengers are named only in providers/ ---------------------------------------------------


def test_no_provider_name_outside_providers() -> None:
    from sprechstunde_cli.providers.registry import PROVIDERS

    def rule(m: Module) -> list[tuple[int, str]]:
        if m.under("providers"):
            return []
        return [
            (node.lineno, f"names the provider {node.value!r}")
            for node in ast.walk(m.tree)
            if isinstance(node, ast.Constant) and node.value in PROVIDERS
        ]

    assert violations(rule) == []
