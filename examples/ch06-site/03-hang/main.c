// BROKEN ON PURPOSE: reads a pipe whose write end this process still holds, so EOF never comes.
#include <stdio.h>
#include <unistd.h>

int main(void) {
    int fds[2];
    if (pipe(fds) == -1) {
        perror("pipe");
        return 1;
    }
    printf("reading until end of file...\n");
    fflush(stdout);
    char buf[64];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) {
        fwrite(buf, 1, (size_t)n, stdout);
    }
    printf("done\n"); /* never printed: fds[1] is still open, in this very process */
    return 0;
}
