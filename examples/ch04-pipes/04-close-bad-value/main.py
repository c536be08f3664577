"""BROKEN ON PURPOSE: the slides' misplaced parenthesis, in Python.

    os.close(w == -1)

`w == -1` is False, and bool is a subclass of int, so this is os.close(0):
it closes stdin and leaves the pipe's write end open. The read loop below then
waits for an EOF that never comes: the program hangs."""
import os


def state(fd: int) -> str:
    try:
        os.fstat(fd)
        return "open"
    except OSError:
        return "closed"


r, w = os.pipe()
pid = os.fork()
if pid == 0:  # child: send one line, then exit (closing its copies)
    os.close(r)
    os.write(w, b"hello\n")
    os._exit(0)

# parent: done writing, so close the write end ... or so we think
os.close(w == -1)
print(f"after the buggy close: fd 0 (stdin) is {state(0)}, fd {w} (write end) is {state(w)}")
print("reading until EOF...", flush=True)  # stdout is a pipe: flush before we hang

while data := os.read(r, 64):
    print(f"got: {data!r}", flush=True)
print("EOF")  # never reached
