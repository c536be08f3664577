// Which system call creates the child when the C library starts a program?
// Nothing in the API says, so this program asks strace: it runs itself under
// `strace -f` once per way of starting `true`, keeps only the calls that
// create a process, and prints each one's name and flags.
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *ways[] = {"system()", "posix_spawnp()", "fork()+exec()"};

static void start(const char *way) {
    pid_t pid;
    if (strcmp(way, "system()") == 0) {
        system("true");
    } else if (strcmp(way, "posix_spawnp()") == 0) {
        char *argv[] = {"true", NULL};
        posix_spawnp(&pid, "true", NULL, NULL, argv, environ);
        waitpid(pid, NULL, 0);
    } else {
        if ((pid = fork()) == 0) {
            execlp("true", "true", (char *)NULL);
            _exit(127);
        }
        waitpid(pid, NULL, 0);
    }
}

static int creates_process(const char *call) {
    const char *names[] = {"fork(", "vfork(", "clone(", "clone3("};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strncmp(call, names[i], strlen(names[i])) == 0) {
            return 1;
        }
    }
    return 0;
}

int main(int argc, char *argv[]) {
    if (argc == 2) {  // we are the traced run: start a program one way
        start(argv[1]);
        return 0;
    }
    char me[4096];
    ssize_t n = readlink("/proc/self/exe", me, sizeof me - 1);
    if (n == -1) {
        perror("readlink");
        return 1;
    }
    me[n] = '\0';
    for (size_t i = 0; i < sizeof ways / sizeof ways[0]; i++) {
        char command[8192];  // strace writes its log to stderr: keep that, drop stdout
        snprintf(command, sizeof command,
                 "strace -f -qq -e trace=fork,vfork,clone,clone3 '%s' '%s' 2>&1 >/dev/null",
                 me, ways[i]);
        FILE *log = popen(command, "r");
        char line[2048];
        int seen = 0;
        while (log != NULL && fgets(line, sizeof line, log) != NULL) {
            char *call = line;
            if (strncmp(call, "[pid", 4) == 0 && strstr(call, "] ") != NULL) {
                call = strstr(call, "] ") + 2;  // a child's call: "[pid N] clone(..."
            }
            if (!creates_process(call)) {
                continue;
            }
            seen = 1;
            int name = (int)strcspn(call, "(");
            char *flags = strstr(call, "flags=");
            printf("%-16s -> %.*s", ways[i], name, call);
            if (flags != NULL) {
                printf(" %.*s", (int)strcspn(flags, ",)}"), flags);
            }
            printf("\n");
        }
        if (!seen) {
            printf("%-16s -> nothing seen (is strace installed?)\n", ways[i]);
        }
        if (log != NULL) {
            pclose(log);
        }
    }
    return 0;
}
