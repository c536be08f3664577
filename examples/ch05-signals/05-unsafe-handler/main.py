"""The same experiment in Python: handlers that print and allocate.

The function passed to signal.signal() is not the real, C-level handler.
CPython's own handler only notes that the signal arrived; the main thread
calls the Python function later, at a point where the interpreter is in a
consistent state. So neither experiment can crash or deadlock the interpreter.
But one of those points is inside print(), after the buffered writer has
handed a full buffer to the OS, so the handler's print() runs in the middle
of the main code's print(): see the page for what that did to the output.

Each experiment runs in a child process, with a timer sending SIGALRM every
100 microseconds for 0.3 seconds; the parent reports how it ended."""
import re
import signal
import subprocess
import sys
import time


def child(kind: str) -> None:
    def print_handler(signum, frame):
        print(f"signal {signum} handled")

    def alloc_handler(signum, frame):
        junk = [bytearray(2000) for _ in range(3)]
        del junk

    signal.signal(signal.SIGALRM, print_handler if kind == "print" else alloc_handler)
    signal.setitimer(signal.ITIMER_REAL, 0.0001, 0.0001)
    start = time.monotonic()
    i = 0
    while time.monotonic() - start < 0.3:
        if kind == "print":
            print(f"main line {i}")
        else:
            junk = bytearray(2000 + i % 1000)
        i += 1
    signal.setitimer(signal.ITIMER_REAL, 0)


def experiment(label: str, kind: str) -> None:
    with open("out.txt", "wb") as out:
        run = subprocess.Popen([sys.executable, __file__, kind], stdout=out, stderr=subprocess.PIPE)
        try:
            _, err = run.communicate(timeout=1)
            outcome = f"crashed: {signal.Signals(-run.returncode).name}" if run.returncode < 0 else "finished"
        except subprocess.TimeoutExpired:
            run.kill()
            _, err = run.communicate()
            outcome = "stuck, killed after 1 second"
    if kind == "print":
        with open("out.txt", "rb") as out:
            data = out.read()
        good = re.compile(rb"main line \d+|signal 14 handled")
        mangled = any(not good.fullmatch(line) for line in data.splitlines())
        outcome += ", some lines mangled" if mangled else ", no mangled lines"
        if re.search(rb"[^a-z0-9 \n]", data):  # a byte that neither print() could write
            outcome += ", bytes nobody printed"
    if err:
        message = err.decode(errors="replace").splitlines()[-1]
        outcome += f", stderr: {message[:60]}{'...' if len(message) > 60 else ''}"
    print(f"{label:<40} {outcome}")


if len(sys.argv) > 1:
    child(sys.argv[1])
else:
    experiment("print() in handler:", "print")
    experiment("allocating in handler:", "alloc")
