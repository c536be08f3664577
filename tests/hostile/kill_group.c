/* HOSTILE ON PURPOSE: kill(0, SIGKILL), its whole process group, itself included.
 * Refuses to start unless it is inside the sandbox's PID namespace. */
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
    printf("killing my process group\n");
    fflush(stdout);
    kill(0, SIGKILL);
    printf("not reached\n");
    return 0;
}
