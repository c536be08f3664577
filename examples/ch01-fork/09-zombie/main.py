# A child that has exited but has not been waited for is a zombie: the kernel
# keeps its exit status (and its pid) until the parent collects it.
import os
import subprocess


def show(pid):
    ps = subprocess.run(["ps", "-o", "stat=,command=", "--pid", str(pid)],
                        capture_output=True, text=True)
    print(ps.stdout, end="")
    if ps.returncode == 1:
        print("(ps found no process with that pid)")


pid = os.fork()
if pid == 0:
    os._exit(0)  # the child ends at once

# Wait until the child has exited, but WNOWAIT leaves it unreaped.
os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)

print(f"child pid={pid} has exited; before wait, ps says:")
show(pid)

os.waitpid(pid, 0)  # reap it: the kernel can now forget it
print("after wait, ps says:")
show(pid)
