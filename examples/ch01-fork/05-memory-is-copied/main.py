# After fork() the child has its own copy of every object.
# The child's changes never reach the parent.
import os

counter = 1
names = ["parent's list"]

pid = os.fork()
if pid == 0:
    counter = 42
    names.append("added by the child")
    print(f"child:  counter={counter}, names={names}", flush=True)
    os._exit(0)

os.waitpid(pid, 0)  # the child has finished writing before we look
print(f"parent: counter={counter}, names={names}")
