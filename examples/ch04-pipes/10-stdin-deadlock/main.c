/* BROKEN ON PURPOSE: writing a lot to a child's stdin before reading its stdout.
 *
 * cat copies its stdin to its stdout pipe. Nobody reads that pipe, so once it
 * is full cat blocks, stops reading its stdin, our stdin pipe fills up too,
 * and our write() blocks forever. Each side waits for the other. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    int to_child[2], from_child[2];
    if (pipe(to_child) == -1 || pipe(from_child) == -1) { perror("pipe"); return 1; }

    pid_t pid = fork();
    if (pid == -1) { perror("fork"); return 1; }
    if (pid == 0) {
        dup2(to_child[0], STDIN_FILENO);
        dup2(from_child[1], STDOUT_FILENO);
        close(to_child[0]); close(to_child[1]);
        close(from_child[0]); close(from_child[1]);
        execlp("cat", "cat", (char *)NULL);
        perror("execlp");
        _exit(127);
    }
    close(to_child[0]);
    close(from_child[1]);

    static char data[1024 * 1024];
    memset(data, 'x', sizeof data);
    printf("writing 1 MiB to cat's stdin...\n");
    fflush(stdout); /* stdout is a pipe, so fully buffered: show this before we hang */
    ssize_t done = 0;
    while (done < (ssize_t)sizeof data) { /* blocks for good */
        ssize_t n = write(to_child[1], data + done, sizeof data - done);
        if (n == -1) { perror("write"); return 1; }
        done += n;
    }
    printf("written\n"); /* never reached */
    close(to_child[1]);

    char buf[4096];
    ssize_t n, total = 0;
    while ((n = read(from_child[0], buf, sizeof buf)) > 0) /* never reached */
        total += n;
    waitpid(pid, NULL, 0);
    printf("cat sent back %zd bytes\n", total);
    return 0;
}
