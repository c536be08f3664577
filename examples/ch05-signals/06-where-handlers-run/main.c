/* Where and when does a C signal handler run?
 *
 * Right away, on whichever thread the kernel picks among those that do not
 * block the signal, in the middle of whatever that thread was doing. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static __thread const char *thread_name; /* one variable per thread */
static volatile sig_atomic_t worker_ready;
static volatile sig_atomic_t handled;
static volatile long progress;    /* how far the main loop had got */
static volatile long seen_at = -1; /* progress when the handler ran */

static void handler(int sig) {
    (void)sig;
    seen_at = progress;
    /* only async-signal-safe calls in here: write(), no printf() */
    write(STDOUT_FILENO, "   handler ran in thread: ", 26);
    write(STDOUT_FILENO, thread_name, strlen(thread_name));
    write(STDOUT_FILENO, "\n", 1);
    handled = 1;
}

static void *worker(void *arg) {
    (void)arg;
    thread_name = "worker";
    worker_ready = 1;
    while (!handled)
        pause(); /* wait for a signal */
    return NULL;
}

int main(void) {
    thread_name = "main";
    struct sigaction action = {0};
    action.sa_handler = handler;
    sigaction(SIGUSR1, &action, NULL);
    sigaction(SIGALRM, &action, NULL);

    /* 1. The main thread blocks SIGUSR1, so the kernel hands it to the worker. */
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &usr1, NULL);
    while (!worker_ready) /* until the worker has named itself */
        usleep(1000);
    printf("1. main thread sends SIGUSR1 to the process:\n");
    fflush(stdout); /* stdout is a pipe, so fully buffered: keep the lines in order */
    kill(getpid(), SIGUSR1);
    pthread_join(t, NULL);

    /* 2. A signal during a long loop interrupts it at once, mid-loop. */
    handled = 0;
    const long total = 2000000000;
    printf("2. SIGALRM arrives during a loop of %ld steps:\n", total);
    fflush(stdout);
    struct itimerval in_100ms = {{0, 0}, {0, 100000}};
    setitimer(ITIMER_REAL, &in_100ms, NULL);
    for (progress = 0; progress < total && !handled; progress++)
        ;
    printf("   handler ran after %s of the loop\n",
           seen_at > 0 && seen_at < total ? "some but not all" : "all or none");
    return 0;
}
