# SPDX-License-Identifier: GPL-2.0
"""Lets "python3 -m unittest" run from this directory find tests/.

tests/ is a plain directory of test modules, not a package, so the
default discovery would not enter it.
"""

import os
import unittest

TESTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'tests')


def load_tests(loader: unittest.TestLoader, tests: unittest.TestSuite,
               pattern: str) -> unittest.TestSuite:
    suite = unittest.TestSuite()
    suite.addTests(loader.discover(TESTS_DIR, pattern or 'test*.py',
                                   top_level_dir=TESTS_DIR))
    return suite
