"""Sphinx configuration for the Multiprocessing course site (`sphinx-build -c . docs <out>`)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).parent.resolve()
sys.path.insert(0, str(ROOT / "docs" / "_ext"))

project = "Multiprocessing"
author = "Course staff (after Ryan Eberhardt and Armin Namavari's lecture)"
copyright = "2020 lecture; 2026 course site"
language = "en"

extensions = [
    "myst_parser",
    "sphinx_design",
    "sphinx_copybutton",
    "sphinx.ext.doctest",
    "snippets",
]
exclude_patterns = ["_ext", "_build", "**/README.md"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header"]

# -- The examples engine (docs/_ext/snippets) ---------------------------------------------
snippets_examples_dir = "examples"
snippets_timeout = 5.0
snippets_c_flags = ["-Wall", "-Wextra", "-pthread"]
# CI sets SNIPPETS_STRICT=1: a missing protection (no bubblewrap, no cgroup) is then an error.
snippets_strict_isolation = os.environ.get("SNIPPETS_STRICT", "") == "1"
# Process trees (:trace:) are drawn by sphinx.ext.graphviz; SVG keeps them sharp and searchable.
graphviz_output_format = "svg"

# -- HTML ----------------------------------------------------------------------------------
html_theme = "furo"
html_title = "Multiprocessing: don't call fork(), pipe() or signal()"
html_theme_options = {
    "source_repository": "https://github.com/course-staff/multiprocessing-site/",
    "source_branch": "main",
    "source_directory": "docs/",
}
# Copy only the program: not the transcript underneath it, not prompts.
copybutton_selector = "div.snippet-code div.highlight pre"
copybutton_exclude = ".linenos, .gp"
