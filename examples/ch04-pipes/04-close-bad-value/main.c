/* BROKEN ON PURPOSE: the slides' misplaced parenthesis.
 *
 *     if (close(fds[1] == -1)) { printf("Error closing!"); }
 *
 * `fds[1] == -1` is evaluated first. It is false, i.e. the int 0, so this
 * calls close(0): it closes stdin and leaves the pipe's write end open.
 * The read loop below then waits for an EOF that never comes: the program hangs. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *state(int fd) {
    return fcntl(fd, F_GETFD) == -1 ? "closed" : "open";
}

int main(void) {
    int fds[2];
    if (pipe(fds) == -1) { perror("pipe"); return 1; }

    pid_t pid = fork();
    if (pid == -1) { perror("fork"); return 1; }
    if (pid == 0) { /* child: send one line, then exit (closing its copies) */
        close(fds[0]);
        write(fds[1], "hello\n", 6);
        _exit(0);
    }

    /* parent: done writing, so close the write end ... or so we think */
    if (close(fds[1] == -1)) {
        printf("Error closing!");
    }
    printf("after the buggy close: fd 0 (stdin) is %s, fd %d (write end) is %s\n",
           state(0), fds[1], state(fds[1]));
    printf("reading until EOF...\n");
    fflush(stdout); /* stdout is a pipe, so fully buffered: show this before we hang */

    char buf[64];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) {
        printf("got: %.*s", (int)n, buf);
        fflush(stdout);
    }
    printf("EOF\n"); /* never reached */
    waitpid(pid, NULL, 0);
    return 0;
}
