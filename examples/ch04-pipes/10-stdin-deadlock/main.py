"""BROKEN ON PURPOSE: writing a lot to a child's stdin before reading its stdout.

cat copies its stdin to its stdout pipe. Nobody reads that pipe, so once it is
full cat blocks, stops reading its stdin, our stdin pipe fills up too, and our
write() blocks forever. Each side waits for the other."""
import subprocess

child = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
print("writing 1 MiB to cat's stdin...", flush=True)  # stdout is a pipe: flush
child.stdin.write(b"x" * (1024 * 1024))  # blocks for good
print("written")  # never reached

child.stdin.close()
data = child.stdout.read()  # never reached
print(f"cat sent back {len(data)} bytes")
