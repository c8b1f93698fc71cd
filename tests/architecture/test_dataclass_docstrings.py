"""Every dataclass in src/ has a docstring (docs/ARCHITECTURE.md, *Startup*).

A docstring says what the value is for. And without one, `dataclasses` writes one itself when
the class is created, `Name(field: type, ...)`, by calling `inspect.signature(cls)`: ~0.1 ms per
class on CPython 3.11, paid at import by every command's start for every class it loads.
"""

from __future__ import annotations

import ast

from tests.support.archscan import Module, violations


def _is_dataclass(decorator: ast.expr) -> bool:
    # @dataclass, @dataclass(frozen=True), @dataclasses.dataclass(...)
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    if isinstance(target, ast.Name):
        return target.id == "dataclass"
    return isinstance(target, ast.Attribute) and target.attr == "dataclass"


def undocumented_dataclasses(m: Module) -> list[tuple[int, str]]:
    return [
        (node.lineno, f"dataclass {node.name} has no docstring: say in one line what it is for")
        for node in ast.walk(m.tree)
        if isinstance(node, ast.ClassDef)
        and any(_is_dataclass(d) for d in node.decorator_list)
        and ast.get_docstring(node) is None
    ]


def test_every_dataclass_says_what_it_is_for() -> None:
    assert violations(undocumented_dataclasses) == []


def test_the_detector_finds_every_spelling() -> None:
    source = (
        "import dataclasses\nfrom dataclasses import dataclass\n"
        "@dataclass\nclass A:\n    x: int\n"
        "@dataclass(frozen=True)\nclass B:\n    x: int\n"
        "@dataclasses.dataclass(frozen=True, slots=True)\nclass C:\n    x: int\n"
        "@dataclass(frozen=True)\nclass D:\n    '''A value.'''\n    x: int\n"
        "class E:\n    x: int\n"
        "def f() -> None:\n    @dataclass\n    class F:\n        x: int\n"
    )
    hits = undocumented_dataclasses(Module("x.py", "x", ast.parse(source)))
    assert sorted(line for line, _ in hits) == [4, 7, 10, 20]
    assert [text.split()[1] for _, text in sorted(hits)] == ["A", "B", "C", "F"]
