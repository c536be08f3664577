"""Which tools notice the slides' `close(fds[1] == -1)` bug?

Runs the compilers and analysers installed on the build machine over
slide_bug.c (the slides' two lines in a minimal program, in this folder) and
prints what each one said. Then runs the program under strace, which shows
the bad call itself."""
import os
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = "slide_bug.c"

CHECKS = [
    ["gcc", "-Wall", "-Wextra", "-fsyntax-only", SOURCE],
    ["gcc", "-Wall", "-Wextra", "-fanalyzer", "-c", "-o", os.devnull, SOURCE],
    ["clang", "-Wall", "-Wextra", "-fsyntax-only", SOURCE],
    ["clang", "-Weverything", "-fsyntax-only", SOURCE],
    ["clang", "--analyze", "-o", os.devnull, SOURCE],
]

for tool in ["gcc", "clang"]:
    version = subprocess.run([tool, "--version"], capture_output=True, text=True)
    print(version.stdout.splitlines()[0])
print()

for command in CHECKS:
    print("$", " ".join(command))
    done = subprocess.run(command, cwd=HERE, capture_output=True, text=True)
    print(done.stdout + done.stderr or "(no diagnostics)\n")

# At run time the mistake is plain to see: trace the close() calls.
subprocess.run(["cc", "-o", "slide_bug", HERE / SOURCE], check=True)
print("$ strace -e trace=close ./slide_bug")
traced = subprocess.run(
    ["strace", "-e", "trace=close", "./slide_bug"], capture_output=True, text=True
)
print(traced.stderr, end="")
