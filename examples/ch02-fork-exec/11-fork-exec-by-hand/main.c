// fork() then exec() by hand: the child turns into `ps`, which reports on
// the child itself: same process, new program.
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    printf("parent pid=%d\n", getpid());
    fflush(stdout);  // empty the buffer before fork, or the child inherits it

    // ANCHOR: fork-exec
    pid_t pid = fork();
    if (pid == -1) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        char me[32];
        snprintf(me, sizeof me, "%d", getpid());
        // Same process, new program: after this call the child *is* ps.
        execlp("ps", "ps", "--pid", me, "-o", "pid= ppid= command=", (char *)NULL);
        perror("execlp");  // only reached if exec failed
        _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    // ANCHOR_END: fork-exec
    printf("parent: child pid=%d exited with %d\n", pid, WEXITSTATUS(status));
    return 0;
}
