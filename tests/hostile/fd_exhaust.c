/* HOSTILE ON PURPOSE: opens files and pipes until the kernel says no. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    int files = 0, pipes = 0, fds[2];
    while (open("/dev/null", O_RDONLY) >= 0)
        files++;
    printf("open() failed after %d files: %s\n", files, strerror(errno));
    while (pipe(fds) == 0)
        pipes++;
    printf("pipe() failed after %d more: %s\n", pipes, strerror(errno));
    return 0;
}
