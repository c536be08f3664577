// BROKEN ON PURPOSE: writes through a NULL pointer, so the kernel sends SIGSEGV.
#include <stdio.h>

int main(void) {
    int *nowhere = NULL;
    printf("about to write through a NULL pointer\n");
    fflush(stdout); /* without this, the line would die in the buffer with the process */
    *nowhere = 42;
    printf("not reached\n");
    return 0;
}
