/* BROKEN ON PURPOSE: use-after-close.
 *
 * A closed descriptor number is free, and open() always hands out the lowest
 * free number. So a stale copy of the number may later name a different file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    int fds[2];
    if (pipe(fds) == -1) { perror("pipe"); return 1; }
    int to_worker = fds[1]; /* a copy of the number, kept "for later" */
    printf("pipe: read end %d, write end %d\n", fds[0], fds[1]);

    close(fds[1]);
    close(fds[0]);

    /* 1. Right after close, the stale number is simply invalid. */
    if (write(to_worker, "job 1\n", 6) == -1)
        printf("write to stale fd %d: %s\n", to_worker, strerror(errno));

    /* 2. Some other code opens a file: it gets the lowest free numbers again. */
    int config = open("config.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int notes = open("notes.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    printf("config.txt opened as fd %d, notes.txt as fd %d\n", config, notes);
    write(notes, "user notes\n", 11);

    /* 3. The stale number now names notes.txt: no error, wrong file. */
    ssize_t n = write(to_worker, "job 2: rm -rf build/\n", 21);
    printf("write to stale fd %d: %zd bytes, no error\n", to_worker, n);
    close(config);
    close(notes);

    char buf[128];
    int in = open("notes.txt", O_RDONLY);
    n = read(in, buf, sizeof buf);
    printf("notes.txt now contains:\n%.*s", (int)n, buf);
    close(in);
    return 0;
}
