/* HOSTILE ON PURPOSE: eats memory. `one`: a single process allocates and touches
 * 16 MiB blocks until malloc fails. `many` (default): four processes each touch
 * argv[2] MiB, together more than the box may have.
 * Refuses to start unless it is inside the sandbox's PID namespace. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "must_be_boxed.h"

static long eat(long limit_mib) {
    long mib = 0;
    while (limit_mib == 0 || mib < limit_mib) {
        char *p = malloc(16 << 20);
        if (!p)
            break;
        memset(p, 1, 16 << 20);
        mib += 16;
    }
    return mib;
}

int main(int argc, char **argv) {
    must_be_boxed();
    if (argc > 1 && strcmp(argv[1], "one") == 0) {
        printf("malloc failed after %ld MiB\n", eat(0));
        return 0;
    }
    long each = argc > 2 ? atol(argv[2]) : 1024;
    for (int i = 0; i < 4; i++)
        if (fork() == 0) {
            eat(each);
            usleep(500 * 1000); /* hold it while the others allocate */
            _exit(0);
        }
    int status, killed = 0;
    while (wait(&status) > 0)
        killed += WIFSIGNALED(status);
    printf("%d of 4 children were killed\n", killed);
    return 0;
}
