// BROKEN ON PURPOSE: starts a daemon (double fork + setsid) and exits without stopping it.
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    pid_t child = fork();
    if (child == 0) {
        setsid();          /* leave our session: a process-group kill no longer reaches it */
        if (fork() == 0) { /* the grandchild is the daemon */
            for (;;) {
                pause();
            }
        }
        _exit(0); /* the middle process exits, so the daemon is orphaned */
    }
    waitpid(child, NULL, 0);
    printf("the daemon is running in the background; main exits now\n");
    return 0;
}
