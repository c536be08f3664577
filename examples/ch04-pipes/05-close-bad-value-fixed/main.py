"""The close() bug, fixed: pass the descriptor itself. os.close() raises
OSError on failure, so there is no return value to compare by hand."""
import os

r, w = os.pipe()
pid = os.fork()
if pid == 0:  # child: send one line, then exit (closing its copies)
    os.close(r)
    os.write(w, b"hello\n")
    os._exit(0)

os.close(w)  # parent: really close the write end
print("reading until EOF...")
while data := os.read(r, 64):
    print(f"got: {data!r}")
print("EOF")
os.waitpid(pid, 0)
