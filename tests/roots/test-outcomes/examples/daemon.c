#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int main(void) {
    if (fork() == 0) {
        setsid();
        if (fork() == 0) {
            sleep(60);
        }
        _exit(0);
    }
    sleep(1);
    printf("parent exits, daemon keeps running\n");
    return 0;
}
