// One high-level call to run another program. Which system calls does it make
// underneath? Nothing here says: the trace of the run below does.
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

int main(void) {
    fflush(stdout);
    int status = system("echo 'hello from echo'");  // runs /bin/sh -c '...'
    printf("system: the shell exited with %d\n", WEXITSTATUS(status));
    return 0;
}
