// Between fork() and exec() the child is still our code, so it can change
// anything about itself before becoming the new program. Here it rewires
// its stdout to a file (dup2) and replaces its environment, then runs `env`.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    fflush(stdout);
    // ANCHOR: customise
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open("child-output.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd == -1 || dup2(fd, STDOUT_FILENO) == -1) {  // fd 1 now means the file
            perror("child: open/dup2");
            _exit(127);
        }
        close(fd);  // fd 1 keeps the file open; the spare descriptor is not needed
        char *env[] = {"GREETING=set up by the child before exec", NULL};
        execle("/usr/bin/env", "env", (char *)NULL, env);  // env prints its environment
        perror("child: execle");
        _exit(127);
    }
    // ANCHOR_END: customise
    int status;
    waitpid(pid, &status, 0);
    printf("parent: child exited with %d; it wrote to child-output.txt:\n", WEXITSTATUS(status));
    FILE *f = fopen("child-output.txt", "r");
    char line[256];
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        printf("  %s", line);
    }
    if (f != NULL) {
        fclose(f);
    }
    return 0;
}
