/* BROKEN ON PURPOSE: the slides' two lines in the smallest complete program.
 * (The full version, which then hangs, is ../04-close-bad-value/main.c.) */
#include <stdio.h>
#include <unistd.h>

int main(void) {
    int fds[2];
    if (pipe(fds) == -1) { perror("pipe"); return 1; }
    if (close(fds[1] == -1)) {
        printf("Error closing!");
    }
    return 0;
}
