"""DESIGN §4's arrows as tests: which part of the package may import which."""

from __future__ import annotations

import ast

from archscan import MODULES, PKG, Module, forbidden_imports, imports, named, violations

# --- the scanner itself ----------------------------------------------------------------------


def test_scanner_sees_the_whole_package_and_its_imports() -> None:
    rels = {m.rel for m in MODULES}
    assert {
        "cli/app.py",
        "render/views.py",
        "domain/model.py",
        "store/db.py",
        "providers/local/provider.py",
    } <= rels
    assert {m.name for m in MODULES if m.rel == "store/__init__.py"} == {f"{PKG}.store"}
    app_imports = {i.module for i in imports(named("cli/app.py"))}
    assert {"typer", "typer.core", f"{PKG}.errors", f"{PKG}.cli.application"} <= app_imports


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
        if m.under("cli", "render"):
            return []
        return forbidden_imports(m, "typer", "rich", "click")

    assert violations(rule) == []


# Each entry says why this module may name httpx outside providers/ and adapters/.
_MAY_NAME_HTTPX = {
    "cli/application.py": "the wiring carries the transport tests hand to every HTTP adapter",
}


def test_httpx_only_in_providers_and_adapters() -> None:
    def rule(m: Module) -> list[tuple[int, str]]:
        if m.under("providers", "adapters") or m.rel in _MAY_NAME_HTTPX:
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
    assert forbidden_imports(named("__main__.py"), f"{PKG}.cli"), "stale allow-list entry"


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
