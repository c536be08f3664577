/* The deadlock fixed by hand: poll() both pipes and write only when cat's
 * stdin has room, read whenever its stdout has data. (This is roughly what
 * Python's communicate() does for you.) */
#include <fcntl.h>
#include <poll.h>
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
    /* non-blocking, so a write takes only what fits instead of waiting */
    fcntl(to_child[1], F_SETFL, O_NONBLOCK);

    static char data[1024 * 1024];
    memset(data, 'x', sizeof data);
    size_t sent = 0, received = 0;
    struct pollfd p[2] = {{.fd = to_child[1], .events = POLLOUT},
                          {.fd = from_child[0], .events = POLLIN}};
    while (p[1].fd != -1) { /* until cat's stdout reaches EOF */
        if (poll(p, 2, -1) == -1) { perror("poll"); return 1; }
        if (p[0].revents) {
            ssize_t n = write(to_child[1], data + sent, sizeof data - sent);
            if (n > 0) sent += n;
            if (sent == sizeof data) { /* all sent: close, so cat sees EOF */
                close(to_child[1]);
                p[0].fd = -1; /* poll() ignores negative descriptors */
            }
        }
        if (p[1].revents) {
            char buf[65536];
            ssize_t n = read(from_child[0], buf, sizeof buf);
            if (n > 0) received += n;
            else { close(from_child[0]); p[1].fd = -1; }
        }
    }

    int status;
    waitpid(pid, &status, 0);
    printf("status: exit status: %d\n", WEXITSTATUS(status));
    printf("cat sent back %zu bytes\n", received);
    return 0;
}
