"""Names a package exports but imports when first asked for (PEP 562), for start-up time.

The package's `__init__.py` names them for type checkers under `if TYPE_CHECKING:` and sets
`__getattr__ = exports(__name__, {name: module that holds it})`: a command that never asks for
one of them never imports its module (`config/`, `services/handoff/`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping


def exports(package: str, homes: Mapping[str, str]) -> Callable[[str], object]:
    """A module `__getattr__` that imports `homes[name]` and returns its `name`."""

    def __getattr__(name: str) -> object:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(home), name)

    return __getattr__
