// A parent that exits without waiting leaves its child an orphan. The child
// keeps running, and the kernel gives it a new parent: init (pid 1), or the
// nearest ancestor that asked to be a "subreaper".
//
// Three generations, because the whole program must outlive the orphan to
// show what it prints: main -> parent -> child. The parent exits at once.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void name_of(pid_t pid, char *name, size_t size) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL || fgets(name, (int)size, f) == NULL) {
        snprintf(name, size, "?");
    }
    name[strcspn(name, "\n")] = '\0';
    if (f != NULL) {
        fclose(f);
    }
}

int main(void) {
    pid_t parent = fork();
    if (parent == 0) {
        // ANCHOR: orphan
        pid_t me = getpid();  // the parent
        if (fork() == 0) {    // the child
            printf("child pid=%d: started by parent pid=%d\n", getpid(), me);
            fflush(stdout);
            while (getppid() == me) {
                usleep(1000);  // wait (a few ms) until the parent is gone
            }
            char name[64];
            name_of(getppid(), name, sizeof name);
            printf("child pid=%d: still running, re-parented to ppid=%d (%s)\n",
                   getpid(), getppid(), name);
            fflush(stdout);  // _exit() skips stdio's flush, so flush by hand
            _exit(0);
        }
        printf("parent pid=%d: exiting without waiting for my child\n", me);
        fflush(stdout);
        _exit(0);
        // ANCHOR_END: orphan
    }
    waitpid(parent, NULL, 0);
    usleep(500 * 1000);  // main is not the orphan's parent: it cannot wait for it
    return 0;
}
