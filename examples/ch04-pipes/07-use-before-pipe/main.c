/* BROKEN ON PURPOSE: use-before-pipe.
 *
 * send_secret() writes to fds[1] but never called pipe(), so fds holds
 * whatever the stack slot held before. That is undefined behaviour: here it
 * is the leftover of the previous call, which happened to be 1 and 2. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void remember_stdio(void) {
    int fds[2] = {1, 2}; /* some earlier, unrelated function's locals */
    printf("remember_stdio: my locals are %d and %d\n", fds[0], fds[1]);
}

static void send_secret(void) {
    int fds[2];
    /* pipe(fds); <- forgotten */
    printf("send_secret: writing to fds[1] = %d\n", fds[1]);
    fflush(stdout);
    if (write(fds[1], "the secret, meant for a pipe\n", 29) == -1)
        printf("write failed: %s\n", strerror(errno));
}

int main(void) {
    remember_stdio();
    send_secret();
    return 0;
}
