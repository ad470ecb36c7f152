"""Tooling shared by the tests and the benchmarks, kept out of the installed package.

Nothing here is imported by :mod:`translate_cli`, and the wheel does not ship
it (``tests/test_packaging.py`` checks). Benchmarks reach it by putting the
repository root on ``sys.path`` (``benchmarks/_paths.py``).
"""
