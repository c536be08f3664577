// A child that has exited but has not been waited for is a zombie: the kernel
// keeps its exit status (and its pid) until the parent collects it.
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void show(pid_t pid) {
    char command[100];
    snprintf(command, sizeof command, "ps -o stat=,command= --pid %d", (int)pid);
    fflush(stdout);  // our own buffered lines first, then ps's output
    int status = system(command);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 1) {
        printf("(ps found no process with that pid)\n");
    }
}

int main(void) {
    pid_t pid = fork();
    if (pid == 0) {
        _exit(0);  // the child ends at once
    }
    // Wait until the child has exited, but WNOWAIT leaves it unreaped.
    siginfo_t info;
    waitid(P_PID, pid, &info, WEXITED | WNOWAIT);

    printf("child pid=%d has exited; before wait, ps says:\n", pid);
    show(pid);

    waitpid(pid, NULL, 0);  // reap it: the kernel can now forget it
    printf("after wait, ps says:\n");
    show(pid);
    return 0;
}
