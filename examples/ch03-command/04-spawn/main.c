// posix_spawnp(): C's own "spawn": start a program and return at once
// with its pid. Like Rust's spawn(), it leaves the waiting to you.
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static pid_t spawn(char *const argv[]) {
    pid_t child;
    // posix_spawn returns an error number instead of setting errno.
    int err = posix_spawnp(&child, argv[0], NULL, NULL, argv, environ);
    if (err != 0) {
        fprintf(stderr, "posix_spawnp: %s\n", strerror(err));
        return -1;
    }
    return child;
}

static void show_children(pid_t parent) {
    char text[32];
    snprintf(text, sizeof text, "%d", (int)parent);
    char *argv[] = {"ps", "--ppid", text, "-o", "pid= ppid= stat= command=", NULL};
    // --ppid lists our children (ps itself will be one of them).
    pid_t ps = spawn(argv);
    if (ps != -1) {
        waitpid(ps, NULL, 0);
    }
}

int main(void) {
    char pid_text[32];
    snprintf(pid_text, sizeof pid_text, "%d", (int)getpid());

    // ANCHOR: spawn
    char *ps_argv[] = {"ps", "--pid", pid_text, "-o", "pid= ppid= command=", NULL};
    pid_t child = spawn(ps_argv);
    if (child == -1) {
        return 1;
    }
    printf("parent: spawned ps as pid=%d, not waiting yet\n", (int)child);
    fflush(stdout);
    int wstatus;
    waitpid(child, &wstatus, 0);
    printf("parent: ps is done: exit status %d\n", WEXITSTATUS(wstatus));
    fflush(stdout);
    // ANCHOR_END: spawn

    // ANCHOR: zombie
    char *true_argv[] = {"true", NULL};
    child = spawn(true_argv);
    if (child == -1) {
        return 1;
    }
    usleep(300 * 1000);  // plenty of time for `true` to exit
    printf("parent: true (pid=%d) has exited, but nobody waited:\n", (int)child);
    fflush(stdout);
    show_children(getpid());

    waitpid(child, &wstatus, 0);
    printf("parent: after waitpid():\n");
    fflush(stdout);
    show_children(getpid());
    // ANCHOR_END: zombie
    return 0;
}
