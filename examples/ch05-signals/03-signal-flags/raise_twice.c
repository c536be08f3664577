/* signal() plus two raise() calls: the program that main.py, beside it, compiles
 * in three modes. Same code as ../01-signal-twice/main.c, minus the
 * printing. */
#include <signal.h>
#include <unistd.h>

static void handler(int sig) {
    (void)sig;
    write(STDOUT_FILENO, "handler ran\n", 12);
}

int main(void) {
    signal(SIGUSR1, handler);
    raise(SIGUSR1);
    raise(SIGUSR1);
    return 0;
}
