"""The deadlock fixed: communicate() writes stdin and reads stdout together
(on Linux it multiplexes the pipes with a selector)."""
import subprocess

with subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE) as child:
    out, _ = child.communicate(b"x" * (1024 * 1024))
print(f"status: {child.returncode}")
print(f"cat sent back {len(out)} bytes")

# run(input=...) is the same thing in one call.
result = subprocess.run(["cat"], input=b"x" * (1024 * 1024), capture_output=True)
print(f"run(input=...): cat sent back {len(result.stdout)} bytes")
