// status() by hand: fork, exec, waitpid, and leave the child's stdout and
// stderr alone so that it writes to the same place we do.
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static int run_status(char *const argv[]) {
    pid_t child = fork();
    if (child == -1) {
        perror("fork");
        exit(1);
    }
    if (child == 0) {
        execvp(argv[0], argv);
        perror("execvp");
        _exit(127);
    }
    int wstatus;
    if (waitpid(child, &wstatus, 0) == -1) {
        perror("waitpid");
        exit(1);
    }
    return wstatus;
}

int main(void) {
    char pid_text[32];
    snprintf(pid_text, sizeof pid_text, "%d", (int)getpid());
    char *argv[] = {"ps", "--pid", pid_text, "-o", "pid= ppid= command=", NULL};

    // Not flushed: this line waits in our stdio buffer while ps runs. The
    // forked child gets a copy of that buffer, but exec throws the copy away
    // (and _exit would not flush it either), so it is printed once, late.
    printf("parent: running ps on pid=%s\n", pid_text);
    int wstatus = run_status(argv);
    printf("parent: exit status %d\n", WEXITSTATUS(wstatus));
    return 0;
}
