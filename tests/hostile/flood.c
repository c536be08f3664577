/* HOSTILE ON PURPOSE: gigabytes of output (argv[1] MiB, default 2048). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    static char block[1 << 20];
    memset(block, 'x', sizeof block);
    long mib = argc > 1 ? atol(argv[1]) : 2048;
    for (long i = 0; i < mib; i++)
        if (write(1, block, sizeof block) < 0)
            return 1;
    return 0;
}
