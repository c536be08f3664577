/* HOSTILE ON PURPOSE: kill(-1, SIGKILL): every process it may signal.
 * As root outside a PID namespace this kills the whole machine, so it refuses
 * to start unless it is inside the sandbox's PID namespace. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "must_be_boxed.h"

int main(void) {
    must_be_boxed();
    if (fork() == 0) {
        pause();
        return 0;
    }
    int rc = kill(-1, SIGKILL);
    usleep(100 * 1000); /* let the kernel re-parent us */
    printf("kill(-1, SIGKILL) returned %d; still running, parent is now pid=%d\n", rc, (int)getppid());
    return 0;
}
