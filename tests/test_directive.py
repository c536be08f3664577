"""The exec_code directive end to end: every outcome, bad input with file:line, escaping, isolation basics."""

from __future__ import annotations

import os
import re
from html import unescape
import shutil
from io import StringIO
from typing import TYPE_CHECKING

import pytest
from conftest import need
from sphinx.testing.util import SphinxTestApp

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


def article(app: SphinxTestApp) -> str:
    html = (app.outdir / "index.html").read_text(encoding="utf-8")
    return html[html.index('<div class="body"'):html.index('<div class="sphinxsidebar"')]


def warnings_of(app: SphinxTestApp) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", app.warning.getvalue())


def text_of(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


@pytest.fixture(scope="module")
def outcomes(rootdir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SphinxTestApp]:
    """One build of the outcomes root, shared by the tests that read it."""
    need("cc")
    srcdir = tmp_path_factory.mktemp("outcomes")
    shutil.copytree(rootdir / "test-outcomes", srcdir, dirs_exist_ok=True)
    os.environ["SNIPPETS_TEST_SECRET"] = "hunter2"
    try:
        app = SphinxTestApp("html", srcdir=srcdir, status=StringIO(), warning=StringIO())
        app.build()
    finally:
        del os.environ["SNIPPETS_TEST_SECRET"]
    yield app
    app.cleanup()


def test_python_example_runs(outcomes: SphinxTestApp) -> None:
    assert "hello from python" in text_of(article(outcomes))
    assert "$ python3 hello.py" in text_of(article(outcomes))


def test_c_exit_status_is_published(outcomes: SphinxTestApp) -> None:
    text = text_of(article(outcomes))
    assert "about to fail" in text
    assert "exit 1" in text


def test_signal_is_published(outcomes: SphinxTestApp) -> None:
    text = text_of(article(outcomes))
    assert "before the signal" in text
    assert "killed by SIGSEGV" in text


def test_hang_is_stopped_and_shows_output_so_far(outcomes: SphinxTestApp) -> None:
    text = text_of(article(outcomes))
    assert "waiting for EOF" in text
    assert "timed out after 1 s" in text
    transcript = text.split("$ ./main\nwaiting for EOF")[1].split("timed out")[0]
    assert "never printed" not in transcript


def test_compile_error_names_the_example_path(outcomes: SphinxTestApp) -> None:
    text = text_of(article(outcomes))
    assert "compile error" in text
    assert "examples/broken.c:2:12: error" in text
    assert "/tmp/" not in text


def test_daemon_is_reported_and_killed(outcomes: SphinxTestApp) -> None:
    text = text_of(article(outcomes))
    assert "parent exits, daemon keeps running" in text
    assert "1 left running: killed" in text
    assert text.count("left running") == 1  # and no other example is blamed for leftovers
    assert not [p for p in os.listdir("/proc") if p.isdigit() and _cmd(p).endswith("/main")
                and _cwd(p).startswith("/tmp/snippets-")]


def _cmd(pid: str) -> str:
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return ""


def _cwd(pid: str) -> str:
    try:
        return os.readlink(f"/proc/{pid}/cwd")
    except OSError:
        return ""


def test_rust_example_runs(outcomes: SphinxTestApp) -> None:
    need("rustc")
    assert "hello from rust" in text_of(article(outcomes))


def test_environment_is_scrubbed_and_stdin_is_empty(outcomes: SphinxTestApp) -> None:
    text = text_of(article(outcomes))
    # PWD comes from the box (--chdir); nothing comes from the build's environment.
    assert "['HOME', 'LANG', 'PATH', 'PWD', 'PYTHONDONTWRITEBYTECODE', 'TMPDIR']" in text
    assert "SNIPPETS_TEST_SECRET" not in text and "hunter2" not in text
    assert "TMPDIR']\n''\n" in text  # stdin.read() returned '' at once


def test_inline_python_runs(outcomes: SphinxTestApp) -> None:
    assert "inline 42" in text_of(article(outcomes))


def test_undeclared_failure_is_one_warning_with_location(outcomes: SphinxTestApp) -> None:
    warnings = warnings_of(outcomes)
    assert warnings.count("[snippets.") == 1, warnings
    assert re.search(r"index\.md:40: WARNING: examples/exit1\.c: declared `exit 0` but it exited with status 1; "
                     r"fix the program or declare what really happens with :expect: 'exit 1'\n"
                     r"  last output:\n    about to fail \[snippets\.exit-status\]", warnings), warnings


@pytest.mark.sphinx("html", testroot="bad-input")
def test_bad_input_messages(app: SphinxTestApp) -> None:
    app.build()
    warnings = warnings_of(app)
    expected = [
        r"index\.md:3: WARNING: unknown language 'cobol'; known: c, python, rust",
        r"index\.md:10: WARNING: 'exec_code': Unknown option key: 'colour'",
        r"index\.md:13: WARNING: cannot read `:expect: exits 3`; write one of",
        r"index\.md:18: WARNING: example file missing\.py not found",
        r"index\.md:26: WARNING: unknown signal 'SIGNOPE'",
        r"index\.md:31: WARNING: unknown normaliser colours; known:",
        r"index\.md:36: WARNING: anchor 'nowhere' not found",
    ]
    for pattern in expected:
        assert re.search(pattern, warnings), f"{pattern!r} not in:\n{warnings}"
    assert "Traceback" not in warnings
    # MyST drops the unknown option and runs that block; the good one after all the bad ones runs too.
    assert text_of(article(app)).count("$ python3 ok.py") == 2


@pytest.mark.sphinx("html", testroot="bad-input", confoverrides={"snippets_c_compiler": "no-such-cc"})
def test_missing_compiler_is_a_clear_warning(app: SphinxTestApp) -> None:
    app.build()
    warnings = warnings_of(app)
    assert re.search(r"index\.md:22: WARNING: C compiler 'no-such-cc' not found; install one \(apt-get install gcc\)",
                     warnings), warnings
    assert "int main(void)" in text_of(article(app))  # the code is still shown


@pytest.mark.sphinx("html", testroot="escape")
def test_output_is_escaped(app: SphinxTestApp) -> None:
    app.build()
    html = article(app)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert('owned')&lt;/script&gt;" in html
    assert "\x1b" not in html and "\x07" not in html
    assert "\u241b[31mred" in html
    assert "invalid utf-8: \\xff\\xfe" in html


@pytest.mark.sphinx("html", testroot="escape", parallel=2)
def test_parallel_build(app: SphinxTestApp) -> None:
    app.build()
    assert "&lt;script&gt;" in article(app)
    assert app.statuscode == 0
