/* HOSTILE ON PURPOSE: writes 1 MiB blocks into each writable place it can find,
 * in files of at most 32 MiB each, until the disk says no. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static long fill(const char *dir) {
    static char block[1 << 20];
    memset(block, 'd', sizeof block);
    long total = 0;
    for (int n = 0; n < 100000; n++) {
        char path[512];
        snprintf(path, sizeof path, "%s/fill-%d", dir, n);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0)
            return total;
        for (int i = 0; i < 32; i++) {
            ssize_t w = write(fd, block, sizeof block);
            if (w <= 0) {
                close(fd);
                return total;
            }
            total += w;
        }
        close(fd);
    }
    return total;
}

int main(void) {
    const char *dirs[] = {".", "/tmp", "/var/tmp", "/dev/shm"};
    for (int i = 0; i < 4; i++) {
        long mib = fill(dirs[i]) >> 20;
        printf("%s: %ld MiB, then %s\n", dirs[i], mib, strerror(errno));
    }
    return 0;
}
