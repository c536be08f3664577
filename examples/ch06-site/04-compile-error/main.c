// BROKEN ON PURPOSE: uses a function that was never declared.
#include <stdio.h>

int main(void) {
    int fds[2];
    if (pipe(fds) == -1) { /* <unistd.h> is missing */
        return 1;
    }
    printf("%d %d\n", fds[0], fds[1]);
    return 0
}
