// The fix: the child does its work and then leaves with _exit(),
// so only the original parent goes round the loop.
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    // ANCHOR: loop
    for (int i = 0; i < 3; i++) {
        pid_t pid = fork();
        if (pid == -1) {
            perror("fork");
            exit(1);
        }
        if (pid == 0) {
            printf("i=%d: child pid=%d, my parent is ppid=%d\n", i, getpid(), getppid());
            fflush(stdout);
            _exit(0);  // the child stops here: it never sees the next iteration
        }
    }
    // ANCHOR_END: loop
    int reaped = 0;
    while (wait(NULL) > 0) {
        reaped++;
    }
    printf("parent pid=%d reaped %d children\n", getpid(), reaped);
    return 0;
}
