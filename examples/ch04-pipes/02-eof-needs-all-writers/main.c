/* A reader only sees EOF once EVERY write end of the pipe is closed,
 * including the copy the reader itself forgot to close. */
#include <poll.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

/* Read from fd until EOF, but give up after one second of silence. */
static void drain(int fd) {
    char buf[64];
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 1000) == 0) {
            printf("parent: no EOF after 1 second of silence\n");
            return;
        }
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) {
            printf("parent: EOF\n");
            return;
        }
        printf("parent: read %.*s", (int)n, buf);
    }
}

int main(void) {
    int fds[2];
    if (pipe(fds) == -1) { perror("pipe"); return 1; }

    pid_t pid = fork();
    if (pid == -1) { perror("fork"); return 1; }
    if (pid == 0) { /* child: write one line, close its write end, exit */
        close(fds[0]);
        write(fds[1], "hello\n", 6);
        close(fds[1]);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    printf("parent: the child has exited and closed its write end\n");

    /* Mistake: the parent still holds its own copy of fds[1]. */
    drain(fds[0]);

    close(fds[1]); /* the fix: close the last write end ... */
    printf("parent: closed its own write end\n");
    drain(fds[0]); /* ... and now the reader sees EOF at once */
    return 0;
}
