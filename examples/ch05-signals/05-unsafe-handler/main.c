/* BROKEN ON PURPOSE: signal handlers that call printf() and malloc().
 *
 * Neither function is async-signal-safe (see `man 7 signal-safety`): if the
 * signal lands while the main code is inside the same function, the handler
 * re-enters it while its locks are held or its data is half updated. What
 * happens then is undefined, and differs from run to run.
 *
 * Each experiment runs in a child process, with a timer sending SIGALRM every
 * 100 microseconds for 0.3 seconds. The parent reports how the child ended,
 * and kills it if it has not finished after 1 second. */
#define _GNU_SOURCE /* for sigabbrev_np() */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* Count complete lines in out.txt that are neither a main line nor a handler line. */
static int mangled_lines(void) {
    FILE *f = fopen("out.txt", "r");
    char line[256];
    int bad = 0;
    long n;
    char rest;
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        if (strchr(line, '\n') == NULL)
            break; /* the last, cut-off line of a child that was killed */
        int main_line = sscanf(line, "main line %ld%c", &n, &rest) == 2 && rest == '\n';
        if (!main_line && strcmp(line, "signal 14 handled\n") != 0)
            bad++;
    }
    if (f != NULL) fclose(f);
    return bad;
}

/* Does out.txt hold a byte that neither printf() call could have written? */
static int junk_bytes(void) {
    FILE *f = fopen("out.txt", "rb");
    int c, junk = 0;
    while (f != NULL && (c = fgetc(f)) != EOF)
        if (!(c == ' ' || c == '\n' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            junk = 1;
    if (f != NULL) fclose(f);
    return junk;
}

static void experiment(const char *label, int use_printf, int second_thread) {
    fflush(stdout); /* or the child inherits a copy of our unwritten output */
    pid_t pid = fork();
    if (pid == 0) {
        /* the child's stdout and stderr go to files, read back below */
        int out = open("out.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int err = open("err.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(out, STDOUT_FILENO);
        dup2(err, STDERR_FILENO);
        run_child(use_printf, second_thread);
    }
    int status = 0, done = 0;
    for (int tick = 0; tick < 100 && !done; tick++) { /* up to 1 second */
        done = waitpid(pid, &status, WNOHANG) == pid;
        if (!done) usleep(10000);
    }
    printf("%-40s ", label);
    if (!done) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        printf("stuck, killed after 1 second");
    } else if (WIFSIGNALED(status)) {
        printf("crashed: SIG%s", sigabbrev_np(WTERMSIG(status)));
    } else {
        printf("finished");
    }
    if (use_printf) {
        printf(", %s", mangled_lines() ? "some lines mangled" : "no mangled lines");
        if (junk_bytes())
            printf(", bytes nobody printed");
    }
    char msg[200] = "";
    FILE *err = fopen("err.txt", "r");
    if (err != NULL && fgets(msg, sizeof msg, err) != NULL) {
        strtok(msg, "\n");
        printf(", stderr: %.60s%s", msg, strlen(msg) > 60 ? "..." : "");
    }
    if (err != NULL) fclose(err);
    printf("\n");
}

int main(void) {
    experiment("printf() in handler, one thread:", 1, 0);
    experiment("malloc() in handler, one thread:", 0, 0);
    experiment("malloc() in handler, two threads:", 0, 1);
    return 0;
}
