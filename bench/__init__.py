"""Benchmarks: scripts that time the CLI and print a report (see bench/README.md).

Run each as a module from the repository root, e.g. `.venv/bin/python -m bench.startup`; they
import the test suite's fakes as `tests.support.…`, so no path needs changing.
"""
