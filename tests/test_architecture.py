"""DESIGN §4 as tests: import boundaries, time passed in, hints on errors, no markup, help text."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer

import sprechstunde_cli
from sprechstunde_cli.cli import app

PKG = "sprechstunde_cli"
ROOT = Path(sprechstunde_cli.__file__).parent


@dataclass(frozen=True)
class Module:
    rel: str  # path inside the package, "/"-separated: "providers/local.py"
    name: str  # dotted module name: "sprechstunde_cli.providers.local"
    tree: ast.Module

    def under(self, *folders: str) -> bool:
        return any(self.rel.startswith(f"{folder}/") for folder in folders)


@dataclass(frozen=True)
class Import:
    module: str  # absolute dotted name
    line: int


def _load() -> list[Module]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        parts = [PKG, *rel.removesuffix(".py").split("/")]
        if parts[-1] == "__init__":
            parts.pop()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        found.append(Module(rel, ".".join(parts), tree))
    return found


MODULES = _load()


def _named(*rels: str) -> Module:
    (module,) = [m for m in MODULES if m.rel in rels]
    return module


def imports(module: Module) -> Iterator[Import]:
    """Every module `module` may load: plain, from-, relative, and importlib with a literal."""
    package = module.name if module.rel.endswith("__init__.py") else module.name.rpartition(".")[0]
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            yield Import(base, node.lineno)
            # `from pkg import sub` loads the module pkg.sub when sub is one.
            for alias in node.names:
                yield Import(f"{base}.{alias.name}", node.lineno)
        elif (
            isinstance(node, ast.Call)
            and _callee(node) in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield Import(node.args[0].value, node.lineno)
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and _MODULE_PATH.fullmatch(node.value)
        ):
            # A lazy registry ("local": "sprechstunde_cli.providers.local") imports it later.
            yield Import(node.value, node.lineno)


_MODULE_PATH = re.compile(rf"{PKG}(\.[a-z_][a-z0-9_]*)+")


def _callee(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def within(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(f"{p}.") for p in prefixes)


def violations(rule: Any) -> list[str]:
    """Run rule(module) -> iterable of (line, text) over every module; format the hits."""
    return [f"{m.rel}:{line}: {text}" for m in MODULES for line, text in rule(m)]


def forbidden_imports(
    module: Module, *prefixes: str, allow: tuple[str, ...] = ()
) -> list[tuple[int, str]]:
    return [
        (imp.line, f"imports {imp.module}")
        for imp in imports(module)
        if within(imp.module, *prefixes) and not within(imp.module, *allow)
    ]


# --- the scanner itself ----------------------------------------------------------------------


def test_scanner_sees_the_whole_package_and_its_imports() -> None:
    rels = {m.rel for m in MODULES}
    assert {
        "cli/app.py",
        "render.py",
        "domain/model.py",
        "store/db.py",
        "providers/local.py",
    } <= rels
    assert {m.name for m in MODULES if m.rel == "store/__init__.py"} == {f"{PKG}.store"}
    app_imports = {i.module for i in imports(_named("cli/app.py"))}
    assert {"typer", "typer.core", f"{PKG}.errors", f"{PKG}.cli.context"} <= app_imports
    # A module named in a string (a lazy registry) counts as an import too.
    assert f"{PKG}.providers.local" in {i.module for i in imports(_named("providers/registry.py"))}


def test_relative_imports_resolve_to_absolute_names() -> None:
    tree = ast.parse("from . import rules\nfrom ..store.db import connect\n")
    module = Module("domain/x.py", f"{PKG}.domain.x", tree)
    assert {i.module for i in imports(module)} >= {
        f"{PKG}.domain.rules",
        f"{PKG}.store.db",
        f"{PKG}.store.db.connect",
    }


# --- import boundaries (DESIGN §4 rule 1 and the arrows) ---------------------------------------


def test_typer_and_rich_only_in_cli_and_render() -> None:
    def rule(m: Module) -> list[tuple[int, str]]:
        if m.under("cli") or m.rel == "render.py":
            return []
        return forbidden_imports(m, "typer", "rich", "click")

    assert violations(rule) == []


# Announcement and e-mail adapters may speak HTTP too, wherever they end up living.
_HTTP_ADAPTER_MARKERS = ("/announce", "/mail", "/targets")


def test_httpx_only_in_providers_and_adapters() -> None:
    def rule(m: Module) -> list[tuple[int, str]]:
        adapter = any(marker in f"/{m.rel}" for marker in _HTTP_ADAPTER_MARKERS)
        # An "announce" use case in services/ is still a service: it goes through an adapter.
        if m.under("providers") or (adapter and not m.under("services", "domain", "store", "cli")):
            return []
        return forbidden_imports(m, "httpx", "httpcore", "requests", "urllib.request")

    assert violations(rule) == []


# The entry point for `python -m sprechstunde_cli` is the one thing outside cli/ that needs it.
_MAY_IMPORT_CLI = {"__main__.py": "python -m sprechstunde_cli runs the CLI"}


def test_nothing_outside_cli_imports_cli() -> None:
    def rule(m: Module) -> list[tuple[int, str]]:
        if m.under("cli") or m.rel in _MAY_IMPORT_CLI:
            return []
        return forbidden_imports(m, f"{PKG}.cli")

    assert violations(rule) == []
    assert forbidden_imports(_named("__main__.py"), f"{PKG}.cli"), "stale allow-list entry"


def test_domain_is_pure() -> None:
    def rule(m: Module) -> list[tuple[int, str]]:
        if not m.under("domain"):
            return []
        layers = ("store", "providers", "services", "cli", "render", "config", "paths", "secrets")
        io = ("sqlite3", "httpx", "os", "subprocess", "shutil", "socket", "keyring", "platformdirs")
        return forbidden_imports(m, *(f"{PKG}.{layer}" for layer in layers), *io)

    assert violations(rule) == []


def test_store_does_not_reach_up() -> None:
    def rule(m: Module) -> list[tuple[int, str]]:
        if not m.under("store"):
            return []
        return forbidden_imports(
            m, *(f"{PKG}.{x}" for x in ("services", "providers", "cli", "render"))
        )

    assert violations(rule) == []


def test_providers_use_only_the_stores_connection_helpers() -> None:
    def rule(m: Module) -> list[tuple[int, str]]:
        if not m.under("providers"):
            return []
        # The local messenger's "server" is a SQLite file: it reuses connect/transaction/retry.
        return forbidden_imports(
            m,
            *(f"{PKG}.{x}" for x in ("services", "store", "cli", "render")),
            allow=(f"{PKG}.store.db",),
        )

    assert violations(rule) == []


# The rehearsal plays the citizens, so it has to hold the local messenger itself.
_SERVICES_WITH_A_CONCRETE_PROVIDER = {
    "services/demo.py": "the rehearsal drives the local messenger's citizen side",
}


def test_services_see_providers_only_through_the_protocol() -> None:
    def rule(m: Module) -> list[tuple[int, str]]:
        if not m.under("services") or m.rel in _SERVICES_WITH_A_CONCRETE_PROVIDER:
            return []
        return forbidden_imports(m, f"{PKG}.providers", allow=(f"{PKG}.providers.base",))

    assert violations(rule) == []
    for rel in _SERVICES_WITH_A_CONCRETE_PROVIDER:
        assert rel in {m.rel for m in MODULES}, f"stale allow-list entry {rel}"


# --- time is passed in (DESIGN §4 rule 2) -------------------------------------------------------

_WALL_CLOCK = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
}

# Each entry says why this module may read the wall clock below cli/.
_MAY_READ_THE_CLOCK = {
    "providers/local.py": "the local messenger's server stamps its own clock, like a real server",
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
                if alias.name in {"time", "time_ns"}:
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
    )
    hits = wall_clock_reads(Module("x.py", "x", ast.parse(source)))
    assert [line for line, _ in hits] == [2, 3, 4, 5, 6]
    for rel in _MAY_READ_THE_CLOCK:
        assert wall_clock_reads(_named(rel)), f"stale allow-list entry {rel}"


# --- services ask capabilities, never names (DESIGN §4 rule 4) ---------------------------------

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


# --- citizen text is never markup (DESIGN §6) --------------------------------------------------


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
            and _callee(node) == "Console"
            and not any(
                k.arg == "markup" and isinstance(k.value, ast.Constant) and k.value.value is False
                for k in node.keywords
            )
        ):
            hits.append((node.lineno, "builds a Console without markup=False"))
    return hits


def test_no_rich_markup_anywhere() -> None:
    # By AST, not text: render.py's docstring names Text.from_markup to forbid it.
    assert violations(markup_uses) == []


def test_the_markup_detector_finds_the_usual_spellings() -> None:
    source = (
        "t = Text.from_markup(s)\nfrom rich.markup import render\n"
        "console.print(s, markup=True)\nc = Console()\nok = Console(markup=False)\n"
        "console.print(s, markup=flag)\n"
    )
    hits = markup_uses(Module("render.py", "x", ast.parse(source)))
    assert sorted(line for line, _ in hits) == [1, 2, 3, 4, 6]
    assert any("Console" in text for _, text in markup_uses(_named("render.py"))) is False


# --- errors name the fix (DESIGN §4 rule 3) ----------------------------------------------------


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
        if not (isinstance(node, ast.Call) and _callee(node) in ERROR_CLASSES):
            continue
        if any(isinstance(a, ast.Starred) for a in node.args) or any(
            k.arg is None for k in node.keywords
        ):
            continue  # *args/**kwargs: cannot tell statically
        hint = next((k.value for k in node.keywords if k.arg == "hint"), None)
        if hint is None and len(node.args) >= 2:
            hint = node.args[1]
        if hint is None:
            hits.append((node.lineno, f"{_callee(node)}(...) without a hint"))
        elif isinstance(hint, ast.Constant) and not str(hint.value).strip():
            hits.append((node.lineno, f"{_callee(node)}(...) with an empty hint"))
    return hits


def test_error_classes_are_found() -> None:
    assert {"SprechstundeError", "ConfigError", "StateError", "ProviderError"} <= ERROR_CLASSES
    source = "raise StateError('x')\nraise StateError('x', '')\nraise StateError('x', hint='Run')\n"
    assert [line for line, _ in hintless_errors(Module("x.py", "x", ast.parse(source)))] == [1, 2]


def test_every_error_names_the_fix() -> None:
    assert violations(hintless_errors) == []


# --- help text is the manual (STYLE habit 6) ---------------------------------------------------


def _walk_commands(command: Any, path: str) -> Iterator[tuple[str, Any]]:
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _walk_commands(sub, f"{path} {name}")


COMMANDS = list(_walk_commands(typer.main.get_command(app), "sprechstunde"))
COMMAND_IDS = [
    path.removeprefix("sprechstunde").strip().replace(" ", "/") or "root" for path, _ in COMMANDS
]


def test_the_command_tree_is_found() -> None:
    paths = {path for path, _ in COMMANDS}
    assert {"sprechstunde", "sprechstunde threads", "sprechstunde reply"} <= paths


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=COMMAND_IDS)
def test_command_help_is_a_sentence(path: str, command: Any) -> None:
    first = (command.help or "").strip().splitlines()[0] if (command.help or "").strip() else ""
    assert first, f"{path}: no help text"
    assert first[0].isupper(), f"{path}: help should start with a capital: {first!r}"
    assert first.endswith("."), f"{path}: help's first line should end with '.': {first!r}"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=COMMAND_IDS)
def test_every_option_and_argument_is_explained(path: str, command: Any) -> None:
    params = [p for p in command.params if p.name not in {"ctx", "help"}]
    missing = [p.name for p in params if not (getattr(p, "help", None) or "").strip()]
    assert missing == [], f"{path}: no help for {missing}"
    # An env var nobody is told about is no use; Typer prints it only with show_envvar.
    hidden_env = [
        p.name
        for p in params
        if getattr(p, "envvar", None) and not getattr(p, "show_envvar", False)
    ]
    assert hidden_env == [], f"{path}: envvar not shown in --help for {hidden_env}"
