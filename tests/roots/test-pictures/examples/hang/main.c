#include <stdio.h>
#include <unistd.h>

int main(void) {
    int fds[2];
    char c;
    pipe(fds);
    if (close(fds[1] == -1)) {
        printf("Error closing!\n");
    }
    read(fds[0], &c, 1);
    return 0;
}
