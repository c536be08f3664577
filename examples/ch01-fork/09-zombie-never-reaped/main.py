# BROKEN ON PURPOSE: starts three children but waits for only one of them.
# The other two stay zombies until this process itself exits.
import os
import time

children = []
for i in range(3):
    pid = os.fork()
    if pid == 0:
        os._exit(i + 1)  # child 1, 2, 3 end at once, with their number as status
    children.append(pid)

_, status = os.waitpid(children[0], 0)  # only the first one is collected
print(f"collected child 1 (status {os.waitstatus_to_exitcode(status)}); "
      "children 2 and 3 are never waited for")
time.sleep(0.1)  # give the other two time to exit: they are zombies now
