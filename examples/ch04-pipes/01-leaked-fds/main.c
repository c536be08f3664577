/* What does a child really inherit across exec?
 *
 * The parent makes two pipes: one with plain pipe() and one with
 * pipe2(..., O_CLOEXEC). Then it runs a child program (itself, re-executed
 * with the argument "child") that lists the descriptors it owns by reading
 * /proc/self/fd. */
#define _GNU_SOURCE /* for pipe2() */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The child side: print every open descriptor and what it points to. */
static void list_my_fds(void) {
    DIR *dir = opendir("/proc/self/fd");
    if (dir == NULL) { perror("opendir"); exit(1); }
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        int fd = atoi(entry->d_name);
        if (entry->d_name[0] == '.' || fd == dirfd(dir))
            continue; /* skip ".", ".." and the descriptor opendir() just made */
        char path[64], target[256];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        ssize_t n = readlink(path, target, sizeof target - 1);
        target[n < 0 ? 0 : n] = '\0';
        /* pipe targets look like "pipe:[123456]"; the number changes every run */
        printf("  fd %d -> %s\n", fd, strncmp(target, "pipe:", 5) == 0 ? "a pipe" : target);
    }
    closedir(dir);
}

int main(int argc, char *argv[]) {
    if (argc > 1 && strcmp(argv[1], "child") == 0) {
        printf("child after exec sees:\n");
        list_my_fds();
        return 0;
    }

    int leaky[2], sealed[2];
    if (pipe(leaky) == -1) { perror("pipe"); return 1; }
    if (pipe2(sealed, O_CLOEXEC) == -1) { perror("pipe2"); return 1; }
    printf("parent: pipe() gave fds %d and %d\n", leaky[0], leaky[1]);
    printf("parent: pipe2(O_CLOEXEC) gave fds %d and %d\n", sealed[0], sealed[1]);
    fflush(stdout); /* stdout is a pipe here, so it is fully buffered: empty it before forking */

    pid_t pid = fork();
    if (pid == -1) { perror("fork"); return 1; }
    if (pid == 0) {
        execl("/proc/self/exe", argv[0], "child", (char *)NULL);
        perror("execl");
        _exit(127);
    }
    waitpid(pid, NULL, 0);
    return 0;
}
