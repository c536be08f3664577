"""Arbitrary pipes whose ends close themselves: os.pipe() wrapped in file
objects, used in `with` blocks."""
import os
import subprocess


def my_pipe_fds() -> list[int]:
    """This process's open descriptors above 2 (stdio) that are pipes."""
    fds = []
    for name in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{name}").startswith("pipe:") and int(name) > 2:
                fds.append(int(name))
        except FileNotFoundError:  # the descriptor listdir() itself used
            pass
    return sorted(fds)


# 1. A pipe within this process: each end is a file object, closed by `with`.
r, w = os.pipe()
with open(r, "rb") as reader, open(w, "wb") as writer:
    print(f"inside the block, pipe fds: {my_pipe_fds()}")
    writer.write(b"hello through the pipe\n")
    writer.close()  # closes the write end: the reader will see EOF
    print(f"read: {reader.read().decode()}", end="")
print(f"after the block, pipe fds: {my_pipe_fds()}")

# Use-after-close is now an exception, not a write to whatever reuses the number.
try:
    writer.write(b"too late\n")
except ValueError as error:
    print(f"writer.write() after the block: ValueError: {error}")

# 2. One pipe as both stdout and stderr of a child.
r, w = os.pipe()
with open(r, "rb") as reader:
    with open(w, "wb") as writer:
        child = subprocess.Popen(
            ["sh", "-c", "echo to stdout; echo to stderr >&2"], stdout=writer, stderr=writer
        )
    # our write end is closed here, so the read below ends when the child exits
    text = reader.read().decode()
child.wait()
print(f"child wrote:\n{text}", end="")
