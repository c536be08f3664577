"""Generate the benchmark corpus: P pages of E examples, half Python half C, one folder per tool."""

from __future__ import annotations

import argparse
import shutil
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

PYTHON = '''\
"""Bench example {n}: a child computes, the parent waits for it and reports."""
import os

LIMIT = {limit}


def work(limit):
    total = 0
    for i in range(limit):
        total += i * i
    return total


def main():
    pid = os.fork()
    if pid == 0:
        print(f"child: sum of squares below {{LIMIT}} is {{work(LIMIT)}}", flush=True)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    print(f"parent: child exited with {{os.waitstatus_to_exitcode(status)}}")
    for line in range(3):
        print(f"example {n}, line {{line}}")


main()
'''

C = '''\
/* Bench example {n}: a child computes, the parent waits for it and reports. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define LIMIT {limit}

static long work(long limit) {{
    long total = 0;
    for (long i = 0; i < limit; i++)
        total += i * i;
    return total;
}}

int main(void) {{
    pid_t pid = fork();
    if (pid < 0) {{
        perror("fork");
        return 1;
    }}
    if (pid == 0) {{
        printf("child: sum of squares below %d is %ld\\n", LIMIT, work(LIMIT));
        fflush(stdout);
        _exit(0);
    }}
    int status;
    waitpid(pid, &status, 0);
    printf("parent: child exited with %d\\n", WEXITSTATUS(status));
    for (int line = 0; line < 3; line++)
        printf("example {n}, line %d\\n", line);
    return 0;
}}
'''

C_FLAGS = ("-Wall", "-Wextra", "-pthread")
#: The interpreter the engine uses (snippets_python); peers get it by absolute path too, so no
#: tool pays for a version-manager shim that happens to be first on PATH.
PYTHON3 = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else "python3"


@dataclass(frozen=True)
class Example:
    """One generated program."""

    page: int
    """Page number (0-based)."""
    number: int
    """Example number on its page (0-based)."""
    language: str
    """`python` or `c`."""

    @property
    def rel(self) -> str:
        """Path under examples/."""
        return f"p{self.page:03d}/e{self.number:02d}/main.{'py' if self.language == 'python' else 'c'}"

    def source(self) -> str:
        """The program text (unique per example, so no two share a cache entry)."""
        n = self.page * 100 + self.number
        return (PYTHON if self.language == "python" else C).format(n=n, limit=1000 + n)


def examples(pages: int, per_page: int) -> list[Example]:
    """Every example, alternating Python and C so each page is half and half."""
    return [Example(p, e, "python" if e % 2 == 0 else "c") for p in range(pages) for e in range(per_page)]


def bare_commands(example: Example, root: Path, workdir: Path) -> list[list[str]]:
    """What a student types, as argv lists: the bare-subprocess floor runs exactly these."""
    path = str(root / "examples" / example.rel)
    if example.language == "python":
        return [[PYTHON3, path]]
    return [["cc", *C_FLAGS, "-o", str(workdir / "main"), path], [str(workdir / "main")]]


# -- one page per tool --------------------------------------------------------------------

def _title(page: int) -> str:
    return f"# Page {page}\n\nSome prose before the examples, as on a real lecture page.\n"


def page_ours(page: int, exs: list[Example]) -> str:
    """This project: sphinx-exec-code's directive, extended."""
    blocks = [f"## Example {e.number}\n\n```{{exec_code}}\n:filename: {e.rel}\n```\n" for e in exs]
    return _title(page) + "\n" + "\n".join(blocks)


def page_plain(page: int, exs: list[Example]) -> str:
    """Plain Sphinx: the same code shown, nothing run."""
    lang = {"python": "python", "c": "c"}
    blocks = [f"## Example {e.number}\n\n```{{literalinclude}} ../examples/{e.rel}\n:language: {lang[e.language]}\n```\n"
              for e in exs]
    return _title(page) + "\n" + "\n".join(blocks)


def _c_shell(root: Path, e: Example) -> str:
    path = root / "examples" / e.rel
    return f"d=$(mktemp -d) && cc {' '.join(C_FLAGS)} -o $d/main {path} && $d/main; s=$?; rm -rf $d; exit $s"


def page_programoutput(page: int, exs: list[Example], root: Path) -> str:
    """sphinxcontrib-programoutput: the code shown with literalinclude, the command's output below."""
    blocks = []
    for e in exs:
        path = root / "examples" / e.rel
        show = f"```{{literalinclude}} ../examples/{e.rel}\n```\n"
        if e.language == "python":
            run = f"```{{program-output}} {PYTHON3} {path}\n```\n"
        else:
            run = f"```{{program-output}} {_c_shell(root, e)}\n:shell:\n```\n"
        blocks.append(f"## Example {e.number}\n\n{show}\n{run}")
    return _title(page) + "\n" + "\n".join(blocks)


def page_exec_code(page: int, exs: list[Example], root: Path) -> str:
    """sphinx-exec-code: Python runs as is; C through a hidden Python wrapper (it runs Python only)."""
    blocks = []
    for e in exs:
        if e.language == "python":
            blocks.append(f"## Example {e.number}\n\n```{{exec_code}}\n:filename: {e.rel}\n```\n")
        else:
            wrapper = textwrap.dedent(f"""\
                #hide:start
                import subprocess
                print(subprocess.run({_c_shell(root, e)!r}, shell=True, capture_output=True, text=True).stdout)
                #hide:stop
                """)
            show = f"```{{literalinclude}} ../examples/{e.rel}\n```\n"
            blocks.append(f"## Example {e.number}\n\n{show}\n```{{exec_code}}\n{wrapper}```\n")
    return _title(page) + "\n" + "\n".join(blocks)


def page_myst_nb(page: int, exs: list[Example], root: Path) -> str:
    """MyST-NB: a text notebook whose cells run each program through the kernel's shell escape."""
    head = "---\nfile_format: mystnb\nkernelspec:\n  name: python3\n---\n"
    blocks = []
    for e in exs:
        path = root / "examples" / e.rel
        show = f"```{{literalinclude}} ../examples/{e.rel}\n```\n"
        cmd = f"{PYTHON3} {path}" if e.language == "python" else _c_shell(root, e)
        blocks.append(f"## Example {e.number}\n\n{show}\n```{{code-cell}} ipython3\n!{cmd}\n```\n")
    return head + _title(page) + "\n" + "\n".join(blocks)


CONF = {
    "ours": """\
import sys
sys.path.insert(0, {ext!r})
extensions = ["myst_parser", "snippets"]
snippets_examples_dir = "examples"
exclude_patterns = ["_build"]
html_theme = "basic"
""",
    "plain": """\
extensions = ["myst_parser"]
exclude_patterns = ["_build"]
html_theme = "basic"
""",
    "programoutput": """\
extensions = ["myst_parser", "sphinxcontrib.programoutput"]
exclude_patterns = ["_build"]
html_theme = "basic"
""",
    "exec-code": """\
extensions = ["myst_parser", "sphinx_exec_code"]
exec_code_example_dir = "examples"
exec_code_working_dir = "."
exclude_patterns = ["_build"]
html_theme = "basic"
""",
    "myst-nb": """\
extensions = ["myst_nb"]
nb_execution_mode = "auto"
nb_execution_timeout = 600
exclude_patterns = ["_build"]
html_theme = "basic"
""",
}


def add_arguments(parser: argparse.ArgumentParser, workdir: str, jobs: str) -> None:
    """The options every bench script shares: the corpus's size, sphinx-build -j and where to build."""
    parser.add_argument("--pages", type=int, default=12)
    parser.add_argument("--examples", type=int, default=10, help="examples per page (half Python, half C)")
    parser.add_argument("--jobs", default=jobs, help="sphinx-build -j")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / workdir)


def write(root: Path, tool: str, pages: int, per_page: int) -> list[Example]:
    """Lay out one tool's project under root: conf.py, docs/pNNN.md, examples/; return the examples."""
    if root.exists():
        shutil.rmtree(root)
    (root / "docs").mkdir(parents=True)
    exs = examples(pages, per_page)
    for e in exs:
        path = root / "examples" / e.rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(e.source(), encoding="utf-8")
    (root / "conf.py").write_text(CONF[tool].format(ext=str(REPO / "docs" / "_ext")), encoding="utf-8")
    toc = "\n".join(f"p{p:03d}" for p in range(pages))
    (root / "docs" / "index.md").write_text(f"# Bench corpus\n\n```{{toctree}}\n{toc}\n```\n", encoding="utf-8")
    for p in range(pages):
        mine = [e for e in exs if e.page == p]
        text = {
            "ours": lambda: page_ours(p, mine),
            "plain": lambda: page_plain(p, mine),
            "programoutput": lambda: page_programoutput(p, mine, root),
            "exec-code": lambda: page_exec_code(p, mine, root),
            "myst-nb": lambda: page_myst_nb(p, mine, root),
        }[tool]()
        (root / "docs" / f"p{p:03d}.md").write_text(text, encoding="utf-8")
    return exs
