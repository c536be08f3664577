"""A leaked write end can live in a process you never heard of.

The shell prints one line and exits at once, but the `sleep` it started in the
background inherited the shell's stdout, which is the write end of our pipe.
run() reads until EOF, so it waits for the sleep too."""
import subprocess
import time

start = time.monotonic()
result = subprocess.run(
    ["sh", "-c", "echo 'shell: done, exiting now'; sleep 2 &"],
    capture_output=True,
    text=True,
)
elapsed = time.monotonic() - start
# The orphaned sleep is exiting right now. Give it a moment to finish, so every
# run of this example ends the same way (the build reports it as a zombie).
time.sleep(0.2)
print(result.stdout, end="")
print(f"run() returned after {elapsed:.1f}s")
print(f"waited for the background sleep too: {elapsed >= 1.5}")
