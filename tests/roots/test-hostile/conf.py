"""Hostile examples through a whole build; tests/test_hostile.py copies them into examples/hostile/."""
import os

extensions = ["myst_parser", "snippets"]
snippets_strict_isolation = os.environ.get("SNIPPETS_STRICT", "") == "1"
