# print() does not write at once: when stdout is a pipe or a file, the text
# waits in a buffer inside this process's memory. fork() copies that memory,
# so the waiting text is copied too, and both processes print it at exit.
import os

print(f"before fork: pid={os.getpid()}")  # still in the buffer...
pid = os.fork()                          # ...which the child copies
role = "0, I am the child" if pid == 0 else "the child's pid, I am the parent"
print(f"after fork: pid={os.getpid()} (fork returned {role})")
if pid > 0:
    os.waitpid(pid, 0)
# each process flushes its own copy of the buffer when it exits
