"""What the tests share: rigs, fakes of the messengers' APIs, the provider contract suite.

Importable as `tests.support` from the repository root, by the tests and by bench/.
"""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
