// The closest thing C's standard library has to output() is popen():
// it runs a SHELL command line and gives you a pipe from its stdout.
// stderr is not captured, and the status comes back from pclose().
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static void run(const char *command_line) {
    printf("$ %s\n", command_line);
    fflush(stdout);  // our stdout is a pipe shared with the child's stderr

    // ANCHOR: popen
    FILE *from_child = popen(command_line, "r");
    if (from_child == NULL) {
        perror("popen");
        return;
    }
    char line[256];
    while (fgets(line, sizeof line, from_child) != NULL) {
        printf("captured: %s", line);
    }
    int wstatus = pclose(from_child);  // waits for the shell, like waitpid
    // ANCHOR_END: popen
    if (wstatus == -1) {
        perror("pclose");
    } else if (WIFEXITED(wstatus)) {
        printf("exit status %d\n", WEXITSTATUS(wstatus));
    }
    fflush(stdout);
}

int main(void) {
    char command_line[128];
    // We must build one string for /bin/sh and quote it ourselves.
    snprintf(command_line, sizeof command_line,
             "ps --pid %d -o 'pid= ppid= command='", (int)getpid());
    run(command_line);
    run("ps --no-such-option");
    run("no-such-program");
    return 0;
}
