/* C has no destructors, but GCC and Clang offer the next best thing:
 * __attribute__((cleanup(f))) calls f(&variable) when the variable goes out
 * of scope. Wrapping each pipe end in a FILE * and giving it a cleanup makes
 * it close itself, like a Rust value on drop or a Python `with` block.
 * This is a compiler extension, not standard C. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define AUTO_CLOSE __attribute__((cleanup(close_file)))

static void close_file(FILE **f) {
    if (*f != NULL) {
        fclose(*f);
        *f = NULL;
    }
}

/* Print this process's open descriptors above 2 (stdio) that are pipes. */
static void print_pipe_fds(const char *when) {
    printf("%s, pipe fds: [", when);
    DIR *dir = opendir("/proc/self/fd");
    struct dirent *entry;
    const char *sep = "";
    while ((entry = readdir(dir)) != NULL) {
        char path[300], target[64];
        snprintf(path, sizeof path, "/proc/self/fd/%s", entry->d_name);
        ssize_t n = readlink(path, target, sizeof target - 1);
        if (n > 0 && strncmp(target, "pipe:", 5) == 0 && atoi(entry->d_name) > 2) {
            printf("%s%s", sep, entry->d_name);
            sep = ", ";
        }
    }
    closedir(dir);
    printf("]\n");
}

int main(void) {
    {
        int fds[2];
        if (pipe(fds) == -1) { perror("pipe"); return 1; }
        AUTO_CLOSE FILE *reader = fdopen(fds[0], "r");
        AUTO_CLOSE FILE *writer = fdopen(fds[1], "w");
        print_pipe_fds("inside the block");

        fputs("hello through the pipe\n", writer);
        close_file(&writer); /* flush and close the write end: EOF for the reader */
        char line[64];
        while (fgets(line, sizeof line, reader) != NULL)
            printf("read: %s", line);
    } /* reader is closed here automatically */
    print_pipe_fds("after the block");
    return 0;
}
