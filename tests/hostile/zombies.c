/* HOSTILE ON PURPOSE: ten children that are never waited for. */
#include <stdio.h>
#include <unistd.h>

int main(void) {
    for (int i = 0; i < 10; i++)
        if (fork() == 0)
            _exit(0);
    usleep(200 * 1000);
    printf("made 10 zombies\n");
    return 0;
}
