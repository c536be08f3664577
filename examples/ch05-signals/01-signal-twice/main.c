/* Install a handler with plain signal() and raise the signal twice.
 *
 * Compiled as the site does (gcc's default mode, gnu17, no feature macros),
 * glibc's signal() has BSD semantics: the handler stays installed.
 * Compare ../02-signal-twice-posix, where one #define changes that. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static void handler(int sig) {
    (void)sig;
    const char msg[] = "  handler ran\n";
    write(STDOUT_FILENO, msg, sizeof msg - 1); /* async-signal-safe, unlike printf() */
}

int main(void) {
    signal(SIGUSR1, handler);
    for (int i = 1; i <= 2; i++) {
        printf("raise #%d\n", i);
        fflush(stdout); /* stdout is a pipe, so fully buffered: keep the lines in order */
        raise(SIGUSR1);
    }
    printf("survived both\n");
    return 0;
}
