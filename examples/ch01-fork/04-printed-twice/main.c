// printf() does not write at once: when stdout is a pipe or a file, the text
// waits in a buffer inside this process's memory. fork() copies that memory,
// so the waiting text is copied too, and both processes print it at exit.
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    printf("before fork: pid=%d\n", getpid());  // still in the buffer...
    pid_t pid = fork();                          // ...which the child copies
    printf("after fork: pid=%d (fork returned %s)\n", getpid(),
           pid == 0 ? "0, I am the child" : "the child's pid, I am the parent");
    if (pid > 0) {
        waitpid(pid, NULL, 0);
    }
    return 0;  // each process flushes its own copy of the buffer here
}
