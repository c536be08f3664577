// Three forks in a loop without leaving it: 8 processes, each prints once.
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    for (int i = 0; i < 3; i++) {
        fork();
    }
    printf("process pid=%d\n", (int)getpid());
    fflush(stdout);
    while (wait(NULL) > 0) {
    }
    return 0;
}
