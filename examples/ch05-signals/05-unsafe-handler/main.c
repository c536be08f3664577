/* BROKEN ON PURPOSE: signal handlers that call printf() and malloc().
 *
 * Neither function is async-signal-safe (see `man 7 signal-safety`): if the
 * signal lands while the main code is inside the same function, the handler
 * re-enters it while its locks are held or its data is half updated. What
 * happens then is undefined, and differs from run to run.
 *
 * Each experiment runs in a child process, with a timer sending SIGALRM every
 * 100 microseconds for 0.3 seconds. The parent reports whether the child
 * finished normally, and kills it if it has not finished after 1 second.
 * (The single-threaded malloc() case, run_child(0, 0), is left out: it
 * finishes in most runs and crashes in a few, see the page.) */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void printf_handler(int sig) {
    printf("signal %d handled\n", sig); /* NOT async-signal-safe */
}

static void malloc_handler(int sig) {
    char *p = malloc(2000); /* NOT async-signal-safe */
    p[0] = (char)sig;
    free(p);
}

static double elapsed(const struct timespec *start) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - start->tv_sec) + (now.tv_nsec - start->tv_nsec) / 1e9;
}

static void *sleeper(void *arg) {
    (void)arg;
    while (1) pause();
    return NULL;
}

/* The child: busy in printf() or malloc() while SIGALRM keeps arriving. */
static void run_child(int use_printf, int second_thread) {
    if (second_thread) { /* only exists; it makes glibc take its locks */
        pthread_t t;
        pthread_create(&t, NULL, sleeper, NULL);
    }
    struct sigaction action = {0};
    action.sa_handler = use_printf ? printf_handler : malloc_handler;
    action.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &action, NULL);
    struct itimerval every_100us = {{0, 100}, {0, 100}};
    setitimer(ITIMER_REAL, &every_100us, NULL);

    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (long i = 0; elapsed(&start) < 0.3; i++) {
        if (use_printf) {
            printf("main line %ld\n", i);
        } else {
            free(malloc(2000 + i % 1000));
        }
    }
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    fflush(stdout);
    _exit(0);
}

static void experiment(const char *label, int use_printf, int second_thread) {
    fflush(stdout); /* or the child inherits a copy of our unwritten output */
    pid_t pid = fork();
    if (pid == 0) {
        /* the child's output (and glibc's error messages) go to a file */
        int out = open("out.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(out, STDOUT_FILENO);
        dup2(out, STDERR_FILENO);
        run_child(use_printf, second_thread);
    }
    int status = 0, done = 0;
    for (int tick = 0; tick < 100 && !done; tick++) { /* up to 1 second */
        done = waitpid(pid, &status, WNOHANG) == pid;
        if (!done) usleep(10000);
    }
    if (!done) { /* stuck: kill it */
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    /* How it went wrong (hung, or killed by SIGABRT or SIGSEGV) varies from
     * run to run; whether it finished normally is what this prints. */
    int normal = done && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    printf("%-40s %s\n", label, normal ? "finished normally" : "did NOT finish normally");
}

int main(void) {
    experiment("printf() in handler:", 1, 0);
    experiment("malloc() in handler, second thread:", 0, 1);
    return 0;
}
