/* HOSTILE ON PURPOSE: a classic double-fork daemon (setsid) that outlives its parent. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    pid_t pid = fork();
    if (pid == 0) {
        setsid();
        if (fork() != 0)
            _exit(0);
        for (;;) {
            FILE *f = fopen("daemon-was-here", "a");
            if (f) { fputs("tick\n", f); fclose(f); }
            sleep(1);
        }
    }
    waitpid(pid, NULL, 0); /* the middle process exits only once the daemon exists */
    printf("parent pid=%d exits, daemon keeps running\n", (int)getpid());
    return 0;
}
