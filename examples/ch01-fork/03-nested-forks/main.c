// BROKEN ON PURPOSE: the child never leaves the loop, so it forks too.
// We meant to start 3 children; count the "child" lines to see how many we got.
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    // ANCHOR: loop
    for (int i = 0; i < 3; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            printf("i=%d: child pid=%d, my parent is ppid=%d\n", i, getpid(), getppid());
            fflush(stdout);  // see "Output printed twice": keep this lesson separate
            // BUG: no exit() here, so the child goes round the loop again
        }
    }
    // ANCHOR_END: loop
    // every process that gets here reaps the children it made
    int reaped = 0;
    while (wait(NULL) > 0) {
        reaped++;
    }
    printf("pid=%d reaped %d children\n", getpid(), reaped);
    return 0;
}
