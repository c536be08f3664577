"""`make doctest` and `make outputs`: the checking builder, expectation files, races, fixed bugs."""

from __future__ import annotations

import difflib
import re
import shutil
from io import StringIO
from typing import TYPE_CHECKING

import pytest
from conftest import need
from sphinx.testing.util import SphinxTestApp

if TYPE_CHECKING:
    from pathlib import Path


def build(srcdir: Path, builder: str, **overrides: object) -> SphinxTestApp:
    app = SphinxTestApp(builder, srcdir=srcdir, status=StringIO(), warning=StringIO(),
                        confoverrides=overrides, freshenv=True)
    try:
        app.build(force_all=True)
    finally:
        app.cleanup()
    return app


def outputs(srcdir: Path) -> None:
    build(srcdir, "dummy", snippets_update_outputs=True, snippets_cache=False)


def check(srcdir: Path) -> tuple[int, str, str]:
    app = build(srcdir, "snippets-check")
    summary = (app.outdir / "output.txt").read_text()
    return app.statuscode, summary, re.sub(r"\x1b\[[0-9;]*m", "", app.warning.getvalue())


@pytest.fixture
def project(rootdir: Path, tmp_path: Path) -> Path:
    need("cc")
    shutil.copytree(rootdir / "test-doctest", tmp_path / "src")
    return tmp_path / "src"


def test_outputs_then_check_passes(project: Path) -> None:
    outputs(project)
    written = (project / "examples/greet/main.c.out").read_text()
    assert written.startswith("$ cc -Wall -Wextra -pthread -o main main.c\n$ ./main\nhello, pid=<pid>\n")
    assert written.endswith("[exit status 0]\n")
    hang = (project / "examples/hang/main.py.out").read_text()
    assert hang == "$ python3 main.py\nreading until EOF\n[timed out after 1 s]\n"
    status, summary, _ = check(project)
    assert status == 0, summary
    assert summary.splitlines()[-1] == "3 passed, 0 failed"


def test_changed_output_fails_with_location_and_diff_then_outputs_fixes_it(project: Path) -> None:
    outputs(project)
    expected = project / "examples/greet/main.c.out"
    before = expected.read_text()
    source = project / "examples/greet/main.c"
    source.write_text(source.read_text().replace("hello,", "hullo,"))
    status, summary, warnings = check(project)
    assert status == 1
    assert re.search(r"index\.md:3: WARNING: output differs from examples/greet/main\.c\.out", warnings), warnings
    assert "-hello, pid=<pid>\n+hullo, pid=<pid>" in warnings
    assert "FAIL" in summary and "1 failed" in summary
    outputs(project)
    changed = [line for line in difflib.ndiff(before.splitlines(), expected.read_text().splitlines())
               if line[:1] in "+-"]
    assert changed == ["- hello, pid=<pid>", "+ hullo, pid=<pid>"]
    status, summary, _ = check(project)
    assert status == 0, summary


def test_a_fixed_hang_fails_the_check(project: Path) -> None:
    outputs(project)
    hang = project / "examples/hang/main.py"
    hang.write_text(hang.read_text().replace("os.read(r, 1)", "os.close(w)\nos.read(r, 1)"))
    status, summary, warnings = check(project)
    assert status == 1
    assert re.search(r"index\.md:8: WARNING: examples/hang/main\.py: declared `timed out` but it exited with "
                     r"status 0", warnings), warnings


def test_missing_expectation_fails(project: Path) -> None:
    status, summary, _ = check(project)
    assert status == 1
    assert "no expected output examples/greet/main.c.out: run `make outputs`" in summary


def test_race_needs_order_any(project: Path) -> None:
    outputs(project)
    page = project / "index.md"
    status, summary, _ = check(project)
    assert status == 0, summary
    page.write_text(page.read_text().replace(":order: any\n", ""))
    status, summary, warnings = check(project)
    assert status == 1, summary
    assert "output differs from examples/race/main.py.out" in warnings


def test_race_variants_are_reported_on_the_page(project: Path) -> None:
    outputs(project)
    app = build(project, "html")
    html = (app.outdir / "index.html").read_text()
    found = re.search(r"Ran 20 times: (\d+) distinct orderings seen", html)
    assert found, "the page must say how many orderings 20 runs produced"
