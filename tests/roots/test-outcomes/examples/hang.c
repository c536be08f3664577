#include <stdio.h>
#include <unistd.h>
int main(void) {
    int fds[2];
    char buf[16];
    pipe(fds);
    printf("waiting for EOF\n");
    fflush(stdout);
    while (read(fds[0], buf, sizeof buf) > 0) {
    }
    printf("never printed\n");
    return 0;
}
