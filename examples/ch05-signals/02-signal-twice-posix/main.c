/* The same program as ../01-signal-twice, plus ONE line: the #define below.
 *
 * Asking for a strict POSIX environment switches off glibc's default
 * (_DEFAULT_SOURCE), and glibc then maps signal() to System V semantics: the
 * handler is reset to SIG_DFL as it runs, so it works only once. The second
 * raise() gets the default action for SIGUSR1, which kills the process.
 * Compiling ../01-signal-twice with -std=c17 instead of gcc's default
 * -std=gnu17 has the same effect. */
#define _POSIX_C_SOURCE 200809L
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
    printf("survived both\n"); /* not reached: the second raise kills us */
    return 0;
}
