"""What does signal() really ask the kernel for?

Compiles raise_twice.c (signal(), then raise() twice) in three modes and runs
each under strace, showing the rt_sigaction() system call made for SIGUSR1
and how the program ended. Then does the same for Python's signal.signal()."""
import subprocess
import sys
from pathlib import Path

SOURCE = Path(__file__).resolve().parent / "raise_twice.c"

MODES = [[], ["-std=c17"], ["-D_POSIX_C_SOURCE=200809L"]]  # [] is gcc's default, -std=gnu17
PYTHON = "import signal; signal.signal(signal.SIGUSR1, print); [signal.raise_signal(signal.SIGUSR1) for _ in range(2)]"


def show(label: str, command: list[str]) -> None:
    traced = subprocess.run(
        ["strace", "-e", "trace=rt_sigaction", *command], capture_output=True, text=True
    )
    print(f"{label}:")
    for line in traced.stderr.splitlines():
        if line.startswith("rt_sigaction(SIGUSR1") or line.startswith("+++"):
            print(" ", line)


for n, flags in enumerate(MODES):
    subprocess.run(["cc", *flags, "-o", f"mode{n}", SOURCE], check=True)
    show(" ".join(["cc", *flags, "raise_twice.c"]), [f"./mode{n}"])
show("python3 with signal.signal()", [sys.executable, "-c", PYTHON])
