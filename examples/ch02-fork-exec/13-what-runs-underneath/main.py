# One high-level call to run another program. Which system calls does it make
# underneath? Nothing here says: the trace of the run below does.
import subprocess

result = subprocess.run(["echo", "hello from echo"])
print(f"subprocess.run: echo exited with {result.returncode}")
