"""The test suite; `tests.support` holds its shared rigs."""

import os

# The tests read English operator texts whatever the machine's locale. The language is chosen
# once per process, on the first text (the commands' help, at import), so it is fixed here,
# before conftest imports the CLI; tests/cli/test_language.py runs it in German in processes of
# its own, and tests/render/test_plain_german.py runs test_plain.py again in a German pytest
# (SPRECHSTUNDE_TEST_LANG=de).
os.environ["SPRECHSTUNDE_LANG"] = os.environ.get("SPRECHSTUNDE_TEST_LANG", "en")
