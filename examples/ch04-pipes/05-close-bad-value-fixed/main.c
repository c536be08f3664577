/* The slides' close() bug, fixed: the comparison belongs outside the call.
 *
 *     if (close(fds[1]) == -1) { perror("close"); }
 */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

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

    if (close(fds[1]) == -1) { /* parent: really close the write end */
        perror("close");
    }
    printf("reading until EOF...\n");

    char buf[64];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0)
        printf("got: %.*s", (int)n, buf);
    printf("EOF\n");
    waitpid(pid, NULL, 0);
    return 0;
}
