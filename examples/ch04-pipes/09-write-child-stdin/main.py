"""Python's version of the abstraction: input= writes the child's stdin,
closes it, and collects stdout, all inside run() (via communicate())."""
import subprocess

result = subprocess.run(["cat"], input=b"Hello, world!\n", capture_output=True)
print(f"status: {result.returncode}")
print(f"cat sent back: {result.stdout.decode()}", end="")

# The same with Popen, by hand: communicate() writes, closes stdin, reads, waits.
with subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE) as child:
    out, _ = child.communicate(b"Hello again!\n")
print(f"status: {child.returncode}")
print(f"cat sent back: {out.decode()}", end="")
