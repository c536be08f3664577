// The combined call exists: posix_spawn() creates the child and runs the new
// program in one go. What happens in between is described by optional
// "file actions" and "attributes" instead of by your own code.
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(void) {
    printf("parent pid=%d\n", getpid());
    fflush(stdout);

    char pids[32];
    snprintf(pids, sizeof pids, "%d", getpid());
    // ANCHOR: spawn
    char *argv[] = {"ps", "--ppid", pids, "-o", "pid= ppid= command=", NULL};
    pid_t pid;
    int err = posix_spawnp(&pid, "ps", NULL, NULL, argv, environ);
    if (err != 0) {  // returns an error number instead of setting errno
        fprintf(stderr, "posix_spawnp: %s\n", strerror(err));
        return 1;
    }
    int status;
    waitpid(pid, &status, 0);
    // ANCHOR_END: spawn
    printf("parent: child pid=%d exited with %d\n", pid, WEXITSTATUS(status));
    return 0;
}
