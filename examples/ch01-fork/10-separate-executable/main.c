// Instead of forking a copy of ourselves, start a fresh program for the
// concurrent work. Here the "separate executable" is this same binary run
// with the argument "worker" (Chrome starts its renderers the same way).
// The worker inherits nothing from our memory: everything it needs comes in
// through its arguments, and it answers on the stdout it shares with us.
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int worker(const char *label, int n) {
    long sum = 0;
    for (int i = 1; i <= n; i++) {
        sum += i;
    }
    printf("worker pid=%d (%s): sum of 1..%d is %ld\n", getpid(), label, n, sum);
    return 0;
}

int main(int argc, char *argv[]) {
    if (argc == 4 && strcmp(argv[1], "worker") == 0) {
        return worker(argv[2], atoi(argv[3]));
    }
    char *jobs[][2] = {{"first", "100"}, {"second", "1000"}};
    pid_t pids[2];
    for (int i = 0; i < 2; i++) {  // start them all: they run concurrently
        char *args[] = {argv[0], "worker", jobs[i][0], jobs[i][1], NULL};
        int err = posix_spawn(&pids[i], "/proc/self/exe", NULL, NULL, args, environ);
        if (err != 0) {
            fprintf(stderr, "posix_spawn: %s\n", strerror(err));
            return 1;
        }
    }
    for (int i = 0; i < 2; i++) {
        int status;
        waitpid(pids[i], &status, 0);
        printf("main: worker pid=%d exited with %d\n", pids[i], WEXITSTATUS(status));
    }
    return 0;
}
