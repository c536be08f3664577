"""BROKEN ON PURPOSE: use-after-close, in Python.

A closed descriptor number is free, and the kernel always hands out the lowest
free number. So a stale copy of the number may later name a different file.
os.write() works on bare numbers, so Python cannot tell either."""
import os

r, w = os.pipe()
to_worker = w  # a copy of the number, kept "for later"
print(f"pipe: read end {r}, write end {w}")
os.close(w)
os.close(r)

# 1. Right after close, the stale number is simply invalid.
try:
    os.write(to_worker, b"job 1\n")
except OSError as error:
    print(f"write to stale fd {to_worker}: {error}")

# 2. Some other code opens files: they get the lowest free numbers again.
config = open("config.txt", "wb", buffering=0)
notes = open("notes.txt", "wb", buffering=0)
print(f"config.txt opened as fd {config.fileno()}, notes.txt as fd {notes.fileno()}")
notes.write(b"user notes\n")

# 3. The stale number now names notes.txt: no error, wrong file.
n = os.write(to_worker, b"job 2: rm -rf build/\n")
print(f"write to stale fd {to_worker}: {n} bytes, no error")
config.close()
notes.close()

with open("notes.txt") as f:
    print("notes.txt now contains:")
    print(f.read(), end="")
