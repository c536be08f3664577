/* HOSTILE ON PURPOSE: the program stops itself and never continues. */
#include <signal.h>
#include <stdio.h>

int main(void) {
    printf("stopping myself\n");
    fflush(stdout);
    raise(SIGSTOP);
    printf("continued\n");
    return 0;
}
