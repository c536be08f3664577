/* HOSTILE ON PURPOSE: a signal handler that calls printf (not async-signal-safe)
 * while main() is inside printf too. It may print garbled lines, crash or hang;
 * the test accepts any of those, as long as the sandbox bounds it. */
#include <signal.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

static volatile sig_atomic_t ticks;

static void on_alarm(int sig) {
    (void)sig;
    ticks++;
    printf("handler tick %d\n", (int)ticks);
}

int main(void) {
    signal(SIGALRM, on_alarm);
    struct itimerval every = {{0, 100}, {0, 100}};
    setitimer(ITIMER_REAL, &every, NULL);
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    long lines = 0;
    do {
        printf("main line %ld\n", lines++);
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while ((now.tv_sec - start.tv_sec) * 1000000000L + (now.tv_nsec - start.tv_nsec) < 500000000L);
    printf("done after %ld lines\n", lines);
    return 0;
}
