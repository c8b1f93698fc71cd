"""The layers of docs/ARCHITECTURE.md as tests: which part of the package may import which.

    cli → services → domain ← store / providers / adapters;  render alone speaks to a terminal;
    config reads the file; system is the machine underneath everything.

Each allow-list entry says why; a stale entry fails its rule's test.
"""

from __future__ import annotations

import ast

from tests.support.archscan import (
    MODULES,
    PKG,
    Module,
    forbidden_imports,
    imports,
    named,
    violations,
)

# --- the scanner itself ----------------------------------------------------------------------


def test_scanner_sees_the_whole_package_and_its_imports() -> None:
    rels = {m.rel for m in MODULES}
    assert {
        "cli/__init__.py",
        "render/threads.py",
        "domain/model.py",
        "store/db.py",
        "providers/local/provider.py",
    } <= rels
    assert {m.name for m in MODULES if m.rel == "store/__init__.py"} == {f"{PKG}.store"}
    root = {i.module for i in imports(named("cli/__init__.py"))}
    assert {"typer", f"{PKG}.cli.funnel", f"{PKG}.cli.application"} <= root
    # A module named in a string (importlib, a lazy registry) counts as an import too.
    source = f"import importlib\nm = importlib.import_module('{PKG}.providers.waha.provider')\n"
    module = Module("x.py", "x", ast.parse(source))
    assert f"{PKG}.providers.waha.provider" in {i.module for i in imports(module)}


def test_relative_imports_resolve_to_absolute_names() -> None:
    tree = ast.parse("from . import rules\nfrom ..store.db import connect\n")
    module = Module("domain/x.py", f"{PKG}.domain.x", tree)
    assert {i.module for i in imports(module)} >= {
        f"{PKG}.domain.rules",
        f"{PKG}.store.db",
        f"{PKG}.store.db.connect",
    }


def _layer(*names: str) -> tuple[str, ...]:
    return tuple(f"{PKG}.{name}" for name in names)


# --- what may speak to a terminal, and what may speak HTTP -------------------------------------


def test_typer_and_rich_only_in_cli_and_render() -> None:
    def rule(m: Module) -> list[tuple[int, str]]:
        if m.under("cli", "render"):
            return []
        return forbidden_imports(m, "typer", "rich", "click")

    assert violations(rule) == []


def test_httpx_only_in_providers_and_adapters() -> None:
    def rule(m: Module) -> list[tuple[int, str]]:
        if m.under("providers", "adapters"):
            return []
        return forbidden_imports(m, "httpx", "httpcore", "requests", "urllib.request")

    assert violations(rule) == []


# --- the arrows --------------------------------------------------------------------------------

# The entry point for `python -m sprechstunde_cli` is the one thing outside cli/ that needs it.
_MAY_IMPORT_CLI = {"__main__.py": "python -m sprechstunde_cli runs the CLI"}


def test_nothing_outside_cli_imports_cli() -> None:
    def rule(m: Module) -> list[tuple[int, str]]:
        if m.under("cli") or m.rel in _MAY_IMPORT_CLI:
            return []
        return forbidden_imports(m, f"{PKG}.cli")

    assert violations(rule) == []
    assert forbidden_imports(named("__main__.py"), f"{PKG}.cli"), "stale allow-list entry"


def test_domain_is_pure() -> None:
    def rule(m: Module) -> list[tuple[int, str]]:
        if not m.under("domain"):
            return []
        layers = _layer(
            "store", "providers", "services", "cli", "render", "config", "system", "adapters"
        )
        io = ("sqlite3", "httpx", "os", "subprocess", "shutil", "socket", "keyring", "platformdirs")
        return forbidden_imports(m, *layers, *io)

    assert violations(rule) == []


def test_store_does_not_reach_up() -> None:
    def rule(m: Module) -> list[tuple[int, str]]:
        if not m.under("store"):
            return []
        layers = _layer("services", "providers", "cli", "render", "config", "adapters")
        return forbidden_imports(m, *layers)

    assert violations(rule) == []


def test_providers_see_only_the_domain_and_the_machine() -> None:
    def rule(m: Module) -> list[tuple[int, str]]:
        if not m.under("providers"):
            return []
        # The local messenger's "server" is a SQLite file: it reuses connect/transaction/retry.
        return forbidden_imports(
            m,
            *_layer("services", "store", "cli", "render", "config", "adapters"),
            allow=(f"{PKG}.store.db",),
        )

    assert violations(rule) == []


def test_config_reads_the_file_and_nothing_above_it() -> None:
    def rule(m: Module) -> list[tuple[int, str]]:
        if not m.under("config"):
            return []
        # A [providers.<name>] section is read by that provider's declared settings reader.
        return forbidden_imports(
            m,
            *_layer("services", "store", "cli", "render", "adapters", "providers"),
            allow=(f"{PKG}.providers.registry",),
        )

    assert violations(rule) == []


def test_system_is_the_bottom() -> None:
    def rule(m: Module) -> list[tuple[int, str]]:
        if not m.under("system"):
            return []
        layers = _layer(
            "services", "store", "cli", "render", "adapters", "providers", "config", "domain"
        )
        return forbidden_imports(m, *layers)

    assert violations(rule) == []


# The rehearsal and the sandbox play the citizens, so they hold the local messenger itself.
_SERVICES_WITH_A_CONCRETE_PROVIDER = {
    "services/demo/__init__.py": "the rehearsal drives the local messenger's citizen side",
    "services/demo/script.py": "the rehearsal's session runs on the local messenger",
    "services/sandbox.py": "`sandbox` is the citizens' side of the local messenger",
}


def test_services_see_providers_only_through_the_protocol() -> None:
    def rule(m: Module) -> list[tuple[int, str]]:
        if not m.under("services") or m.rel in _SERVICES_WITH_A_CONCRETE_PROVIDER:
            return []
        return forbidden_imports(
            m, f"{PKG}.providers", allow=(f"{PKG}.providers.base", f"{PKG}.providers.registry")
        )

    assert violations(rule) == []
    for rel in _SERVICES_WITH_A_CONCRETE_PROVIDER:
        assert rel in {m.rel for m in MODULES}, f"stale allow-list entry {rel}"


def test_render_only_formats() -> None:
    def rule(m: Module) -> list[tuple[int, str]]:
        if not m.under("render"):
            return []
        return forbidden_imports(m, *_layer("store", "cli", "config.load", "system", "adapters"))

    assert violations(rule) == []


# The sanitizer is pure and Rich-free: whatever writes citizen text where a person reads it
# (an export file, an e-mail, an error) uses it. The rest of render/ is for cli/ only.
_SANITIZER = f"{PKG}.render.sanitize"


def test_only_cli_uses_render_except_the_sanitizer() -> None:
    def rule(m: Module) -> list[tuple[int, str]]:
        if m.under("cli", "render"):
            return []
        return forbidden_imports(m, f"{PKG}.render", allow=(_SANITIZER,))

    assert violations(rule) == []
