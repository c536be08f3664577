"""BROKEN ON PURPOSE: a file object only closes when someone closes it.

Popen duplicates `writer` into the child, but our own copy stays open because
no `with` block (and no close()) ends it. The reader waits for an EOF that
never comes: the program hangs."""
import os
import subprocess

r, w = os.pipe()
reader = open(r, "rb")
writer = open(w, "wb")
child = subprocess.Popen(
    ["sh", "-c", "echo to stdout; echo to stderr >&2"], stdout=writer, stderr=writer
)
child.wait()
print("child has exited")
print(f"first line: {reader.readline().decode()}", end="")
print("reading the rest until EOF...", flush=True)  # stdout is a pipe: flush first
rest = reader.read()  # hangs: our `writer` is still open
print(f"rest: {rest.decode()}", end="")  # never reached
