/*
 * snippets-init: the small launcher that stands in front of every example.
 *
 * The sandbox (sandbox.py) starts it through subprocess, never through a
 * pre-exec hook.  With bubblewrap it appears twice, once on each side:
 *
 *     snippets-init --cgroup=DIR cpu=N as=N ... -- bwrap ... -- \
 *         snippets-init --report=FD --ns -- program args...
 *
 * Without --report it only configures itself and execs the program (a
 * launcher, like prlimit): it joins the cgroup DIR (whose pids.max bounds the
 * number of processes, which RLIMIT_NPROC does not do for root) and applies
 * resource limits that everything below it inherits.
 *
 * With --report=FD it supervises the program:
 *   - becomes a child subreaper, so orphans and double-forked daemons are
 *     re-parented to it instead of escaping;
 *   - forwards SIGTERM/SIGINT/SIGHUP to the example (an example that would
 *     be PID 1 in its namespace could not otherwise receive them);
 *   - when the example exits, lists every process still alive below it
 *     (running ones and zombies nobody waited for), writes that report to
 *     REPORT_FD, kills them all and reaps them, so nothing outlives the run.
 *
 * Report lines (one per line, space separated):
 *     status <raw wait status of the example>
 *     left <pid> <state> <comm>      one per process still present
 *     exec-failed <errno>            when the program could not be executed
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile pid_t child_pid = -1;

static void forward(int sig) {
    if (child_pid > 0)
        kill(child_pid, sig);
}

static int read_stat(pid_t pid, char *state, pid_t *ppid, char *comm, size_t commlen) {
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *open = strchr(buf, '(');
    char *close = strrchr(buf, ')');
    if (!open || !close || close[1] == '\0')
        return -1;
    size_t len = (size_t)(close - open - 1);
    if (len >= commlen)
        len = commlen - 1;
    memcpy(comm, open + 1, len);
    comm[len] = '\0';
    for (char *c = comm; *c; c++)
        if (*c == ' ' || *c == '\n')
            *c = '_';
    int p = 0;
    if (sscanf(close + 2, "%c %d", state, &p) != 2)
        return -1;
    *ppid = p;
    return 0;
}

/* Is pid a descendant of ancestor?  Walks the ppid chain in /proc. */
static int descends_from(pid_t pid, pid_t ancestor) {
    char state, comm[64];
    pid_t ppid;
    for (int depth = 0; depth < 4096 && pid > 1; depth++) {
        if (read_stat(pid, &state, &ppid, comm, sizeof comm) != 0)
            return 0;
        if (ppid == ancestor)
            return 1;
        pid = ppid;
    }
    return 0;
}

/* Report, and kill, every process below us.  Returns how many were found. */
static int sweep(FILE *report, int do_report) {
    pid_t self = getpid();
    int found = 0;
    DIR *d = opendir("/proc");
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end != '\0' || pid <= 0 || pid == self)
            continue;
        if (!descends_from((pid_t)pid, self))
            continue;
        char state, comm[64];
        pid_t ppid;
        if (read_stat((pid_t)pid, &state, &ppid, comm, sizeof comm) != 0)
            continue;
        found++;
        if (do_report && report)
            fprintf(report, "left %ld %c %s\n", pid, state, comm);
        if (state != 'Z')
            kill((pid_t)pid, SIGKILL);
    }
    closedir(d);
    return found;
}

static void set_limit(int resource, const char *value) {
    rlim_t v = (rlim_t)strtoull(value, NULL, 10);
    struct rlimit rl = {v, v};
    if (setrlimit(resource, &rl) != 0)
        fprintf(stderr, "snippets-init: setrlimit: %s\n", strerror(errno));
}

static int join_cgroup(const char *dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/cgroup.procs", dir);
    FILE *f = fopen(path, "w");
    if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f) != 0) {
        fprintf(stderr, "snippets-init: cannot join cgroup %s: %s\n", dir, strerror(errno));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv) {
    int report_fd = -1, in_namespace = 0, i = 1;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        char *arg = argv[i];
        if (!strncmp(arg, "--report=", 9)) { report_fd = atoi(arg + 9); continue; }
        if (!strcmp(arg, "--ns")) { in_namespace = 1; continue; }
        if (!strncmp(arg, "--cgroup=", 9)) {
            if (join_cgroup(arg + 9) != 0)
                return 125;
            continue;
        }
        char *eq = strchr(arg, '=');
        if (!eq) {
            fprintf(stderr, "snippets-init: unknown argument %s\n", arg);
            return 125;
        }
        *eq = '\0';
        const char *key = arg, *value = eq + 1;
        if (!strcmp(key, "cpu")) set_limit(RLIMIT_CPU, value);
        else if (!strcmp(key, "as")) set_limit(RLIMIT_AS, value);
        else if (!strcmp(key, "fsize")) set_limit(RLIMIT_FSIZE, value);
        else if (!strcmp(key, "nofile")) set_limit(RLIMIT_NOFILE, value);
        else if (!strcmp(key, "nproc")) set_limit(RLIMIT_NPROC, value);
        else if (!strcmp(key, "core")) set_limit(RLIMIT_CORE, value);
        else {
            fprintf(stderr, "snippets-init: unknown limit %s\n", key);
            return 125;
        }
    }
    if (i >= argc - 1) {
        fprintf(stderr, "usage: snippets-init [--cgroup=DIR] [--report=FD [--ns]] [LIMIT=N]... -- program args...\n");
        return 125;
    }
    char **program = &argv[i + 1];
    if (report_fd < 0) {
        /* The launcher's parent is the build: if the build dies (SIGTERM,
         * SIGKILL, a crash), take the sandbox down with it. */
        pid_t parent = getppid();
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            return 125;
        execvp(program[0], program);
        fprintf(stderr, "snippets-init: cannot execute %s: %s\n", program[0], strerror(errno));
        return 127;
    }

    FILE *report = fdopen(report_fd, "w");
    prctl(PR_SET_CHILD_SUBREAPER, 1);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = forward;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    int errpipe[2];
    if (pipe2(errpipe, O_CLOEXEC) != 0)
        return 125;
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "snippets-init: fork: %s\n", strerror(errno));
        return 125;
    }
    if (pid == 0) {
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        close(report_fd);
        close(errpipe[0]);
        execvp(program[0], program);
        int err = errno;
        (void)!write(errpipe[1], &err, sizeof err);
        _exit(127);
    }
    child_pid = pid;
    close(errpipe[1]);
    int exec_errno = 0;
    if (read(errpipe[0], &exec_errno, sizeof exec_errno) == (ssize_t)sizeof exec_errno && report)
        fprintf(report, "exec-failed %d\n", exec_errno);
    close(errpipe[0]);

    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (report)
        fprintf(report, "status %d\n", status);

    /* First sweep reports what the example left behind; later sweeps catch
     * anything forked while we were killing (a fork bomb races us). */
    sweep(report, 1);
    if (report)
        fflush(report);
    if (in_namespace)
        kill(-1, SIGKILL); /* everyone in our PID namespace but us and pid 1 */
    for (int round = 0; round < 50; round++) {
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        if (sweep(NULL, 0) == 0)
            break;
        usleep(2000);
    }
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    if (report)
        fclose(report);
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}
