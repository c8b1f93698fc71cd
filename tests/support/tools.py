"""External tools the tests cross-check against."""

from __future__ import annotations

import os
import shutil

import pytest


def needs(tool: str) -> pytest.MarkDecorator:
    """Mark a cross-check against an external tool.

    On a developer machine without the tool the test is skipped and says so; in CI (.ci/run
    installs the tool) it always runs, so a missing tool fails there instead of hiding.
    """
    missing = shutil.which(tool) is None and not os.environ.get("CI")
    return pytest.mark.skipif(missing, reason=f"{tool} is not installed here (.ci/run installs it)")
