"""An AST view of every module in the package, for the architecture tests."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import sprechstunde_cli

PKG = "sprechstunde_cli"
ROOT = Path(sprechstunde_cli.__file__).parent


@dataclass(frozen=True)
class Module:
    rel: str  # path inside the package, "/"-separated: "providers/local.py"
    name: str  # dotted module name: "sprechstunde_cli.providers.local.provider"
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


def named(*rels: str) -> Module:
    (module,) = [m for m in MODULES if m.rel in rels]
    return module


def imports(module: Module) -> Iterator[Import]:
    """Every module `module` may load: plain, from-, relative, importlib, and named in a string."""
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
            and callee(node) in {"import_module", "__import__"}
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
            # A module named in a string is loaded later (importlib): it counts as an import.
            yield Import(node.value, node.lineno)


_MODULE_PATH = re.compile(rf"{PKG}(\.[a-z_][a-z0-9_]*)+")


def callee(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def within(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(f"{p}.") for p in prefixes)


def violations(rule: Callable[[Module], Iterable[tuple[int, str]]]) -> list[str]:
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
