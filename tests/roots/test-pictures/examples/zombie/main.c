// The parent never waits: its child stays a zombie until the parent itself exits.
#include <stdio.h>
#include <unistd.h>

int main(void) {
    if (fork() == 0) {
        return 0;
    }
    usleep(200000);
    printf("parent exits without waiting\n");
    return 0;
}
