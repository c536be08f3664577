#include <signal.h>
#include <stdio.h>
int main(void) {
    printf("before the signal\n");
    fflush(stdout);
    raise(SIGSEGV);
    return 0;
}
