/* HOSTILE ON PURPOSE: SIGKILL to its own parent (the sandbox's launcher).
 * Refuses to start unless it is inside the sandbox's PID namespace. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "must_be_boxed.h"

int main(void) {
    must_be_boxed();
    pid_t parent = getppid();
    kill(parent, SIGKILL);
    kill(1, SIGKILL);
    usleep(100 * 1000);
    printf("killed parent pid=%d; parent is now pid=%d\n", (int)parent, (int)getppid());
    return 3;
}
