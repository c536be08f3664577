// After fork() the child has its own copy of every variable. Same address,
// different memory: the child's writes never reach the parent.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int counter = 1;

int main(void) {
    char *name = strdup("parent's string");  // on the heap: copied as well
    pid_t pid = fork();
    if (pid == 0) {
        counter = 42;
        strcpy(name, "child's string");
        printf("child:  counter=%d at %p, name=\"%s\"\n", counter, (void *)&counter, name);
        fflush(stdout);
        _exit(0);
    }
    waitpid(pid, NULL, 0);  // the child has finished writing before we look
    printf("parent: counter=%d at %p, name=\"%s\"\n", counter, (void *)&counter, name);
    free(name);
    return 0;
}
