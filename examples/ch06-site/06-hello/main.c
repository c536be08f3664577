#include <stdio.h>
#include <unistd.h>

int main(void) {
    printf("C says hello as pid=%d\n", (int)getpid());
    return 0;
}
