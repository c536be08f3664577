"""Browser tests (a package, so this folder's conftest does not take the name `conftest` from tests/conftest.py)."""
