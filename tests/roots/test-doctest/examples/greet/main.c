#include <stdio.h>
#include <unistd.h>
int main(void) {
    printf("hello, pid=%d\n", (int)getpid());
    return 0;
}
