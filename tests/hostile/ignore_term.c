/* HOSTILE ON PURPOSE: ignores SIGTERM (and so does its child) and never ends. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
    signal(SIGTERM, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    if (fork() == 0)
        for (;;)
            pause();
    printf("ignoring SIGTERM from now on\n");
    fflush(stdout);
    for (;;)
        pause();
}
