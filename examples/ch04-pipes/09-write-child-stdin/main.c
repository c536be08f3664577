/* Without an abstraction: two pipes, fork, dup2, exec, and every close by hand. */
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
        /* close all four originals, or cat itself holds a write end of its stdin */
        close(to_child[0]); close(to_child[1]);
        close(from_child[0]); close(from_child[1]);
        execlp("cat", "cat", (char *)NULL);
        perror("execlp");
        _exit(127);
    }
    close(to_child[0]);
    close(from_child[1]);

    const char *msg = "Hello, world!\n";
    write(to_child[1], msg, strlen(msg));
    close(to_child[1]); /* cat sees EOF only once this is closed */

    char buf[128];
    ssize_t n, total = 0;
    while ((n = read(from_child[0], buf + total, sizeof buf - total)) > 0)
        total += n;
    close(from_child[0]);

    int status;
    waitpid(pid, &status, 0);
    printf("status: exit status: %d\n", WEXITSTATUS(status));
    printf("cat sent back: %.*s", (int)total, buf);
    return 0;
}
