# Between fork() and exec() the child is still our code, so it can change
# anything about itself before becoming the new program. Here it rewires
# its stdout to a file (dup2) and replaces its environment, then runs `env`.
import os

# ANCHOR: customise
pid = os.fork()
if pid == 0:
    try:
        fd = os.open("child-output.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd, 1)  # fd 1 now means the file
        os.close(fd)    # fd 1 keeps the file open; the spare descriptor is not needed
        env = {"GREETING": "set up by the child before exec"}
        os.execve("/usr/bin/env", ["env"], env)  # env prints its environment
    finally:
        os._exit(127)  # only reached if something above failed
# ANCHOR_END: customise
_, status = os.waitpid(pid, 0)
print(f"parent: child exited with {os.waitstatus_to_exitcode(status)}; it wrote to child-output.txt:")
with open("child-output.txt") as f:
    for line in f:
        print(f"  {line}", end="")
