// C has no destructors, but GCC and Clang offer __attribute__((cleanup)):
// a function that runs when a variable goes out of scope.
#include <spawn.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

// ANCHOR: cleanup
// Called with a pointer to the variable when it goes out of scope.
static void reap(pid_t *child) {
    int wstatus;
    if (*child > 0 && waitpid(*child, &wstatus, 0) == *child) {
        printf("cleanup: reaped pid=%d, exit status %d\n", (int)*child,
               WEXITSTATUS(wstatus));
        fflush(stdout);
    }
}
// ANCHOR_END: cleanup

static pid_t spawn_true(void) {
    char *argv[] = {"true", NULL};
    pid_t child;
    if (posix_spawnp(&child, "true", NULL, NULL, argv, environ) != 0) {
        return -1;
    }
    return child;
}

static void show_children(void) {
    char me[32];
    snprintf(me, sizeof me, "%d", (int)getpid());
    char *argv[] = {"ps", "--ppid", me, "-o", "pid= ppid= stat= command=", NULL};
    pid_t ps;
    if (posix_spawnp(&ps, "ps", NULL, NULL, argv, environ) == 0) {
        waitpid(ps, NULL, 0);
    }
}

int main(void) {
    printf("1. a plain pid_t going out of scope:\n");
    fflush(stdout);
    {
        pid_t child = spawn_true();
        printf("spawned pid=%d\n", (int)child);
        fflush(stdout);
    }
    usleep(300 * 1000);
    show_children();

    // ANCHOR: scoped
    printf("2. the same with __attribute__((cleanup(reap))):\n");
    fflush(stdout);
    {
        __attribute__((cleanup(reap))) pid_t child = spawn_true();
        printf("spawned pid=%d\n", (int)child);
        fflush(stdout);
        usleep(300 * 1000);
    }  // reap(&child) runs here
    show_children();
    // ANCHOR_END: scoped
    return 0;
}
