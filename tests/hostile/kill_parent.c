/* HOSTILE ON PURPOSE: SIGKILL to its own parent (the sandbox's launcher).
 * Refuses to start unless it is inside the sandbox's PID namespace. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void must_be_boxed(void) {
    char comm[32] = "";
    FILE *f = fopen("/proc/1/comm", "r");
    if (f) { if (!fgets(comm, sizeof comm, f)) comm[0] = '\0'; fclose(f); }
    if (getpid() > 16 || strncmp(comm, "snippets-init", 13) != 0) {
        fprintf(stderr, "refusing to run outside the sandbox\n");
        exit(99);
    }
}

int main(void) {
    must_be_boxed();
    pid_t parent = getppid();
    kill(parent, SIGKILL);
    kill(1, SIGKILL);
    usleep(100 * 1000);
    printf("killed parent pid=%d; parent is now pid=%d\n", (int)parent, (int)getppid());
    return 3;
}
