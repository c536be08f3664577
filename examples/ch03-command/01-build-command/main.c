// C has no command builder: we fill an argv array by hand, then fork,
// exec and wait ourselves.
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    char pid_text[32];
    snprintf(pid_text, sizeof pid_text, "%d", (int)getpid());

    // ANCHOR: build
    // argv[0] is the program name by convention; the array ends with NULL.
    char *argv[] = {"ps", "--pid", pid_text, "-o", "pid= ppid= command=", NULL};
    // ANCHOR_END: build

    for (int i = 0; argv[i] != NULL; i++) {
        printf("argv[%d] = \"%s\"\n", i, argv[i]);
    }
    printf("\n");
    // stdout is a pipe, so printf's output sits in our buffer: flush it, or
    // the forked child would get a copy of it too.
    fflush(stdout);

    pid_t child = fork();
    if (child == -1) {
        perror("fork");
        return 1;
    }
    if (child == 0) {
        execvp(argv[0], argv);
        perror("execvp");  // only reached if exec failed
        _exit(127);        // never fall back into the parent's code
    }

    int wstatus;
    if (waitpid(child, &wstatus, 0) == -1) {
        perror("waitpid");
        return 1;
    }
    if (WIFEXITED(wstatus)) {
        printf("ps finished: exit status %d\n", WEXITSTATUS(wstatus));
    }
    return 0;
}
