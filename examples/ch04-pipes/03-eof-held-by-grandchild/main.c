/* A leaked write end can live in a process you never heard of.
 *
 * The shell prints one line and exits at once, but the `sleep` it started in
 * the background inherited the shell's stdout, which is the write end of the
 * pipe popen() made. Reading until EOF therefore waits for the sleep too. */
#define _POSIX_C_SOURCE 200809L /* for popen() and clock_gettime() */
#include <stdio.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(void) {
    double start = now();
    FILE *from_shell = popen("echo 'shell: done, exiting now'; sleep 2 &", "r");
    if (from_shell == NULL) { perror("popen"); return 1; }

    char line[128];
    while (fgets(line, sizeof line, from_shell) != NULL) /* stops at EOF */
        printf("%s", line);
    double elapsed = now() - start;
    pclose(from_shell);
    /* The orphaned sleep is exiting right now. Give it a moment to finish, so
     * every run of this example ends the same way (the build reports it as a
     * zombie). */
    nanosleep(&(struct timespec){.tv_nsec = 200000000}, NULL);

    printf("EOF arrived after %.1fs\n", elapsed);
    printf("waited for the background sleep too: %s\n", elapsed >= 1.5 ? "True" : "False");
    return 0;
}
