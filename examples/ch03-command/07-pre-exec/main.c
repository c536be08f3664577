// In C the "pre-exec hook" is simply the code you write in the child
// between fork() and exec(). posix_spawn offers the common cases as flags.
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(void) {
    char pid_text[32];
    snprintf(pid_text, sizeof pid_text, "%d", (int)getpid());
    // ps lists us (the parent) and all our children, ps itself included.
    char *ps[] = {"ps", "--pid", pid_text, "--ppid", pid_text,
                  "-o", "pid= ppid= pgid= command=", NULL};

    // ANCHOR: fork
    printf("1. fork, setpgid(0, 0) in the child, exec\n");
    fflush(stdout);
    pid_t child = fork();
    if (child == -1) {
        perror("fork");
        return 1;
    }
    if (child == 0) {
        // The hook: anything here runs in the child before exec.
        if (setpgid(0, 0) == -1) {
            perror("setpgid");
            _exit(127);
        }
        execvp(ps[0], ps);
        perror("execvp");
        _exit(127);
    }
    waitpid(child, NULL, 0);
    // ANCHOR_END: fork

    // ANCHOR: spawn
    printf("2. posix_spawnp with POSIX_SPAWN_SETPGROUP\n");
    fflush(stdout);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);  // 0: a new group named after the child
    int err = posix_spawnp(&child, ps[0], NULL, &attr, ps, environ);
    posix_spawnattr_destroy(&attr);
    if (err != 0) {
        fprintf(stderr, "posix_spawnp: %s\n", strerror(err));
        return 1;
    }
    waitpid(child, NULL, 0);
    // ANCHOR_END: spawn
    return 0;
}
