// The fix: a child whose exec failed must stop at once. _exit(127) is the
// shell's convention for "command not found"; the parent can read it back.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    // ANCHOR: spawn
    pid_t pid = fork();
    if (pid == 0) {
        execlp("no-such-program", "no-such-program", (char *)NULL);
        printf("child pid=%d: exec failed: %s\n", getpid(), strerror(errno));
        fflush(stdout);
        _exit(127);  // _exit, not exit: skip atexit handlers and stdio flushing
    }
    // ANCHOR_END: spawn

    printf("pid=%d: updating the bank balance (parent-only work)\n", getpid());
    int status;
    waitpid(pid, &status, 0);
    if (WIFEXITED(status)) {
        printf("pid=%d: child exited with status %d\n", getpid(), WEXITSTATUS(status));
    }
    return 0;
}
