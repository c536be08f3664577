"""What did signal() really ask the kernel for? strace shows the
rt_sigaction() system call each program makes for SIGUSR1."""
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def show(label: str, command: list[str]) -> None:
    traced = subprocess.run(
        ["strace", "-e", "trace=rt_sigaction", *command], capture_output=True, text=True
    )
    print(f"{label}:")
    for line in traced.stderr.splitlines():
        if line.startswith("rt_sigaction(SIGUSR1") or line.startswith("+++"):
            print(" ", line)


for name in ["01-signal-twice", "02-signal-twice-posix"]:
    subprocess.run(["cc", "-o", name, HERE.parent / name / "main.c"], check=True)
    show(name, [f"./{name}"])
show("01-signal-twice/main.py", [sys.executable, HERE.parent / "01-signal-twice" / "main.py"])
