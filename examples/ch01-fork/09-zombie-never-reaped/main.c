// BROKEN ON PURPOSE: starts three children but waits for only one of them.
// The other two stay zombies until this process itself exits.
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    pid_t children[3];
    for (int i = 0; i < 3; i++) {
        children[i] = fork();
        if (children[i] == 0) {
            _exit(i + 1); // child 1, 2, 3 end at once, with their number as status
        }
    }
    int status;
    waitpid(children[0], &status, 0); // only the first one is collected
    printf("collected child 1 (status %d); children 2 and 3 are never waited for\n",
           WEXITSTATUS(status));
    usleep(100 * 1000); // give the other two time to exit: they are zombies now
    return 0;
}
