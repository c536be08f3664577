/* The guard every dangerous hostile program calls first: refuse to run unless this process is
 * inside the sandbox's PID namespace (PID 1 there is snippets-init, and our own PID is small).
 * Outside a box, as root, a fork bomb or kill(-1, SIGKILL) would take the whole machine down. */
#ifndef MUST_BE_BOXED_H
#define MUST_BE_BOXED_H
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
#endif
