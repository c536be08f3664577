"""A reader only sees EOF once EVERY write end of the pipe is closed,
including the copy the reader itself forgot to close."""
import os
import select


def drain(fd: int) -> None:
    """Read until EOF, but give up after one second of silence."""
    while True:
        ready, _, _ = select.select([fd], [], [], 1.0)
        if not ready:
            print("parent: no EOF after 1 second of silence")
            return
        data = os.read(fd, 64)
        if not data:
            print("parent: EOF")
            return
        print(f"parent: read {data!r}")


r, w = os.pipe()
pid = os.fork()
if pid == 0:  # child: write one line, close its write end, exit
    os.close(r)
    os.write(w, b"hello\n")
    os.close(w)
    os._exit(0)

os.waitpid(pid, 0)
print("parent: the child has exited and closed its write end")

# Mistake: the parent still holds its own copy of w.
drain(r)

os.close(w)  # the fix: close the last write end ...
print("parent: closed its own write end")
drain(r)  # ... and now the reader sees EOF at once
