// BROKEN ON PURPOSE: when exec fails, the child carries on running the
// parent's code, because nothing tells it to stop.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    // ANCHOR: spawn
    pid_t pid = fork();
    if (pid == 0) {
        execlp("no-such-program", "no-such-program", (char *)NULL);
        // exec only returns when it failed
        printf("child pid=%d: exec failed: %s\n", getpid(), strerror(errno));
        fflush(stdout);
        // BUG: no _exit() here, so the child falls through into the parent's code
    }
    // ANCHOR_END: spawn

    // Code meant for the parent only:
    printf("pid=%d: updating the bank balance (parent-only work)\n", getpid());
    fflush(stdout);
    if (waitpid(pid, NULL, 0) == -1) {
        printf("pid=%d: waitpid failed: %s\n", getpid(), strerror(errno));
    }
    return 0;
}
