/*
 * snippets-init: the small launcher that stands in front of every example.
 *
 * The sandbox (sandbox.py) starts it through subprocess, never through a
 * pre-exec hook.  With bubblewrap it appears on both sides of the box:
 *
 *     snippets-init --cgroup=DIR... [--mountns=PATH] cpu=N as=N ... -- \
 *         bwrap ... --as-pid-1 -- \
 *         snippets-init --report=FD --ns [--watch-fd=N] [nproc=N] [uid=N] -- program args...
 *
 * Without --report it only configures itself and execs the program (a
 * launcher, like prlimit): it joins each cgroup DIR (pids.max bounds the
 * number of processes, which RLIMIT_NPROC does not do for root; the memory
 * controller bounds the box's memory as a whole), enters the mount namespace
 * that holds the working directory's tmpfs, and applies resource limits that
 * everything below it inherits.
 *
 * With --report=FD --ns it is PID 1 of the box's PID namespace and the box
 * looks like this from inside (what the course pages describe):
 *
 *     PID 1  snippets-init   supervisor: reports, then empties the box
 *     PID 2  snippets-init   the example's parent: a subreaper that waits for it
 *     PID 3  the example
 *
 * The kernel never delivers SIGKILL or SIGSTOP sent from inside a namespace
 * to its PID 1, so an example that calls kill(-1, SIGKILL) or kill(0, ...),
 * or kills its parent, cannot take the supervisor down with it (issue 4): if
 * PID 2 dies, the example is re-parented to PID 1, which then waits for it.
 *
 * With --report=FD alone (no bubblewrap) one process does both jobs as a
 * child subreaper, so orphans and double-forked daemons are re-parented to
 * it instead of escaping.
 *
 * --watch-fd=N is a pidfd of the build process that owns the box (not
 * necessarily our parent: Sphinx runs examples in forked workers that outlive
 * a main process killed by SIGTERM).  When it becomes readable the build is
 * gone, and the supervisor kills the box at once instead of letting the
 * example run to its timeout.
 *
 * Either way, nproc=N and uid=N apply to the example only: RLIMIT_NPROC is
 * ignored for root, so where no cgroup bounds the number of processes the
 * example runs as a dedicated uid that the limit counts.  SIGTERM, SIGINT
 * and SIGHUP sent from outside the box are forwarded to the example.  When
 * the example exits, every process still present in the box (running ones,
 * and zombies nobody waited for) is reported, killed and reaped, so nothing
 * outlives the run.
 *
 * With --hold=DIR it keeps a working directory for a series of runs: it enters
 * a private mount namespace, mounts a size-limited tmpfs (size=N, owned by
 * uid=N if given) on DIR there, prints "ready", and waits until its stdin
 * closes or the build dies.  The tmpfs exists only in that namespace, so it
 * never shows up in the host's mount table where other builds' bubblewraps
 * would copy it; launchers join it with --mountns=/proc/PID/ns/mnt.
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
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile pid_t example_pid = -1;
static pid_t build_pid = -1;

/* Forward a signal from outside the box to the example.  si_pid is 0 for a
 * sender outside our PID namespace; as PID 1 anything else is the example
 * signalling us, which a real init would not pass back either.  When the
 * build itself is gone (PDEATHSIG), the example is killed outright. */
static void forward(int sig, siginfo_t *info, void *context) {
    (void)context;
    if (example_pid <= 0)
        return;
    if (build_pid > 0 && getppid() != build_pid) {
        kill(example_pid, SIGKILL);
        return;
    }
    if (getpid() != 1 || info == NULL || info->si_pid == 0)
        kill(example_pid, sig);
}

static void catch_forwarded(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = forward;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

static void default_signals(void) {
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
}

static int read_stat(pid_t pid, char *state, pid_t *ppid, char *comm, size_t commlen) {
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    char *open_paren = strchr(buf, '(');
    char *close_paren = strrchr(buf, ')');
    if (!open_paren || !close_paren || close_paren[1] == '\0')
        return -1;
    size_t len = (size_t)(close_paren - open_paren - 1);
    if (len >= commlen)
        len = commlen - 1;
    memcpy(comm, open_paren + 1, len);
    comm[len] = '\0';
    for (char *c = comm; *c; c++)
        if (*c == ' ' || *c == '\n' || *c == '\r')
            *c = '_';
    int p = 0;
    if (sscanf(close_paren + 2, "%c %d", state, &p) != 2)
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

/* Report, and kill, every process below us but `skip` (our own helper).
 * As PID 1 of a namespace every other process in /proc is below us.
 * Returns how many were found. */
static int sweep(FILE *report, int whole_namespace, pid_t skip) {
    pid_t self = getpid();
    int found = 0;
    DIR *d = opendir("/proc");
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end != '\0' || pid <= 0 || pid == self || pid == skip)
            continue;
        if (!whole_namespace && !descends_from((pid_t)pid, self))
            continue;
        char state, comm[64];
        pid_t ppid;
        if (read_stat((pid_t)pid, &state, &ppid, comm, sizeof comm) != 0)
            continue;
        found++;
        if (report)
            fprintf(report, "left %ld %c %s\n", pid, state, comm);
        /* In the reporting sweep a tracer (:trace:, strace -D) is left to
         * finish its log: it exits by itself once its tracees are gone, and
         * wait_for_tracer() bounds that; later sweeps kill it like the rest. */
        if (state != 'Z' && !(report && strcmp(comm, "strace") == 0))
            kill((pid_t)pid, SIGKILL);
    }
    closedir(d);
    return found;
}

/* Give a tracer of ours up to half a second to write the end of its log and exit. */
static void wait_for_tracer(int whole_namespace) {
    pid_t self = getpid();
    for (int round = 0; round < 100; round++) {
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        int tracers = 0;
        DIR *d = opendir("/proc");
        if (!d)
            return;
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            char *end, state, comm[64];
            pid_t ppid;
            long pid = strtol(e->d_name, &end, 10);
            if (*end == '\0' && pid > 0 && read_stat((pid_t)pid, &state, &ppid, comm, sizeof comm) == 0
                && state != 'Z' && strcmp(comm, "strace") == 0
                && (whole_namespace || descends_from((pid_t)pid, self)))
                tracers++;
        }
        closedir(d);
        if (tracers == 0)
            return;
        usleep(5000);
    }
}

static int set_limit(int resource, const char *value) {
    rlim_t v = (rlim_t)strtoull(value, NULL, 10);
    struct rlimit rl = {v, v};
    if (setrlimit(resource, &rl) != 0) {
        fprintf(stderr, "snippets-init: setrlimit: %s\n", strerror(errno));
        return -1;
    }
    return 0;
}

static int write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    ssize_t len = (ssize_t)strlen(text);
    int ok = fd >= 0 && write(fd, text, (size_t)len) == len;
    if (fd >= 0)
        close(fd);
    return ok ? 0 : -1;
}

/* Join the cgroup DIR before anything of the box exists.
 *
 * cgroup v1: write 0 ("this thread") to DIR/tasks.  We are single-threaded, so
 * that moves the whole process, and a thread moving itself is the one
 * migration the kernel does without its global cgroup_threadgroup_rwsem:
 * taking that for writing (any write to cgroup.procs) waits for an RCU grace
 * period unless another migration ran within the last one, measured here at
 * 11 to 31 ms for runs 50 ms apart, against 0.03 ms through tasks.
 * cgroup v2 has no tasks file: cgroup.procs. */
static int join_cgroup(const char *dir) {
    char path[4096], line[32];
    snprintf(path, sizeof path, "%s/tasks", dir);
    if (access(path, W_OK) == 0 && write_file(path, "0\n") == 0)
        return 0;
    snprintf(path, sizeof path, "%s/cgroup.procs", dir);
    snprintf(line, sizeof line, "%d\n", (int)getpid());
    if (write_file(path, line) != 0) {
        fprintf(stderr, "snippets-init: cannot join cgroup %s: %s\n", dir, strerror(errno));
        return -1;
    }
    return 0;
}

/* setns() moves us to the namespace's root: come back to the same path there,
 * which is now the held tmpfs. */
static int enter_mount_namespace(const char *path) {
    char cwd[4096];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (!getcwd(cwd, sizeof cwd) || fd < 0 || setns(fd, CLONE_NEWNS) != 0 || chdir(cwd) != 0) {
        fprintf(stderr, "snippets-init: cannot enter mount namespace %s: %s\n", path, strerror(errno));
        return -1;
    }
    close(fd);
    return 0;
}

/* In the example's own process, before exec: its process bound and identity.
 * The supervisors asked the kernel to spare them when the box runs out of
 * memory (oom_score_adj -1000); the example gets the ordinary score back. */
static int become_example(const char *nproc, long uid) {
    write_file("/proc/self/oom_score_adj", "0\n");
    if (nproc && set_limit(RLIMIT_NPROC, nproc) != 0)
        return -1;
    if (uid >= 0) {
        gid_t gid = (gid_t)uid;
        if (setgroups(0, NULL) != 0 || setresgid(gid, gid, gid) != 0 ||
            setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) != 0) {
            fprintf(stderr, "snippets-init: cannot switch to uid %ld: %s\n", uid, strerror(errno));
            return -1;
        }
    }
    return 0;
}

/* --hold=DIR: keep a private mount namespace with a tmpfs on DIR until stdin closes. */
static int hold(const char *dir, const char *size, long uid) {
    pid_t parent = getppid();
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        return 125;
    char options[128], source[64];
    if (uid >= 0)
        snprintf(options, sizeof options, "size=%s,mode=0755,uid=%ld,gid=%ld", size ? size : "0", uid, uid);
    else
        snprintf(options, sizeof options, "size=%s,mode=0700", size ? size : "0");
    snprintf(source, sizeof source, "snippets-%d", (int)parent);
    if (!size || unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
        mount(source, dir, "tmpfs", MS_NOSUID | MS_NODEV, options) != 0) {
        fprintf(stderr, "snippets-init: cannot hold a tmpfs on %s: %s\n", dir, strerror(errno));
        return 125;
    }
    if (write(STDOUT_FILENO, "ready\n", 6) != 6)
        return 125;
    char buf[64];
    ssize_t n;
    while ((n = read(STDIN_FILENO, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
        ;
    return 0;
}

/* The example's process: limits, identity, exec.  Tells `tell` its pid first
 * and the errno if exec fails ("P <pid>", "E <errno>"); tell is close-on-exec. */
static void run_example(char **program, const char *nproc, long uid, int tell) {
    default_signals();
    if (tell >= 0)
        dprintf(tell, "P %d\n", (int)getpid());
    int err = EPERM;
    if (become_example(nproc, uid) == 0) {
        execvp(program[0], program);
        err = errno;
    }
    if (tell >= 0)
        dprintf(tell, "E %d\n", err);
    _exit(127);
}

static int pidfd_of(pid_t pid) {
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    (void)pid;
    errno = ENOSYS;
    return -1;
#endif
}

/* Block until fd is readable; 0 if so, -1 if the build (watch) went away first. */
static int wait_readable(int fd, int watch) {
    struct pollfd fds[2] = {{fd, POLLIN, 0}, {watch, POLLIN, 0}};
    for (;;) {
        int n = poll(fds, watch >= 0 ? 2 : 1, -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return 0;
        if (watch >= 0 && fds[1].revents)
            return -1;
        if (fds[0].revents)
            return 0;
    }
}

/* Wait for pid (our child) to end, or for the build to go away (-1). */
static int wait_child(pid_t pid, int *status, int watch) {
    int fd = watch >= 0 ? pidfd_of(pid) : -1;
    if (fd >= 0) {
        int gone = wait_readable(fd, watch);
        close(fd);
        if (gone < 0)
            return -1;
    }
    while (waitpid(pid, status, 0) < 0)
        if (errno != EINTR)
            return -2;
    return 0;
}

/* Read "P <pid>" / "E <errno>" / "S <status>" messages until PID 2 is gone. */
static int read_messages(int fd, int watch, pid_t *pid, int *exec_errno, int *status, int *have_status) {
    char buf[256];
    size_t used = 0;
    for (;;) {
        if (wait_readable(fd, watch) < 0)
            return -1;
        ssize_t n = read(fd, buf + used, sizeof buf - 1 - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return 0;
        used += (size_t)n;
        buf[used] = '\0';
        char *line = buf, *nl;
        while ((nl = strchr(line, '\n')) != NULL) {
            *nl = '\0';
            int value = atoi(line + 2);
            if (line[0] == 'P') { *pid = value; example_pid = value; }
            else if (line[0] == 'E') *exec_errno = value;
            else if (line[0] == 'S') { *status = value; *have_status = 1; }
            line = nl + 1;
        }
        used = strlen(line);
        memmove(buf, line, used);
        if (*have_status)
            return 0;
    }
}

/* The build is gone: nobody will read a report; empty the box and go. */
static int abandon(int whole_namespace) {
    if (whole_namespace) {
        kill(-1, SIGKILL);
    } else {
        for (int round = 0; round < 200 && sweep(NULL, 0, -1) > 0; round++) {
            while (waitpid(-1, NULL, WNOHANG) > 0)
                ;
            usleep(1000);
        }
    }
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    return 125;
}

/* PID 1 of the box (bubblewrap --as-pid-1). */
static int supervise_namespace(char **program, const char *nproc, long uid, FILE *report, int watch) {
    int msg[2];
    if (pipe2(msg, O_CLOEXEC) != 0)
        return 125;
    catch_forwarded();
    pid_t helper = fork();
    if (helper < 0) {
        fprintf(stderr, "snippets-init: fork: %s\n", strerror(errno));
        return 125;
    }
    if (helper == 0) {
        /* PID 2: the example's parent, as a shell would be.  Orphans of the
         * example are re-parented here, and show up in `ps` under this name. */
        default_signals();
        if (report)
            fclose(report);
        if (watch >= 0)
            close(watch);
        close(msg[0]);
        prctl(PR_SET_CHILD_SUBREAPER, 1);
        pid_t pid = fork();
        if (pid < 0) {
            dprintf(msg[1], "E %d\n", errno);
            _exit(125);
        }
        if (pid == 0)
            run_example(program, nproc, uid, msg[1]);
        /* Look at the status without reaping: if we are killed now (the
         * example's kill(0, SIGKILL) reaches us too), the example stays a
         * zombie that PID 1 inherits and reaps itself, so the status is never
         * lost with us. */
        siginfo_t info;
        memset(&info, 0, sizeof info);
        while (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT) < 0 && errno == EINTR)
            ;
        int status = info.si_code == CLD_EXITED ? (info.si_status & 0xff) << 8
                                                : (info.si_status & 0x7f) | (info.si_code == CLD_DUMPED ? 0x80 : 0);
        dprintf(msg[1], "S %d\n", status);
        _exit(0);
    }
    close(msg[1]);
    pid_t pid = -1;
    int exec_errno = 0, status = 0, have_status = 0;
    if (read_messages(msg[0], watch, &pid, &exec_errno, &status, &have_status) < 0)
        return abandon(1);
    close(msg[0]);
    /* Once PID 2 is reaped the kernel has re-parented the example to us: reap
     * it (its status is already known if PID 2 lived to send it), or wait for
     * it if PID 2 was killed first (kill(-1, ...), or the example killed its
     * parent) while the example goes on. */
    while (waitpid(helper, NULL, 0) < 0 && errno == EINTR)
        ;
    if (pid > 0) {
        int reaped = 0;
        int waited = wait_child(pid, &reaped, watch);
        if (waited == -1)
            return abandon(1);
        if (!have_status && waited == 0) {
            status = reaped;
            have_status = 1;
        }
    }
    if (report) {
        if (exec_errno)
            fprintf(report, "exec-failed %d\n", exec_errno);
        if (have_status)
            fprintf(report, "status %d\n", status);
    }
    sweep(report, 1, helper);
    if (report)
        fclose(report);
    wait_for_tracer(1);
    /* kill(-1) from PID 1 reaches everyone else in the namespace, and when we
     * exit the kernel kills and reaps whatever is left before bwrap sees us
     * go, so the box is empty once our exit status is known. */
    kill(-1, SIGKILL);
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    if (!have_status)
        return 125;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* No bubblewrap: one subreaper process supervises the example on the host. */
static int supervise_flat(char **program, const char *nproc, long uid, FILE *report, int report_fd, int watch) {
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    write_file("/proc/self/oom_score_adj", "-1000\n");
    /* If the build dies, SIGTERM reaches forward(), which then kills the example. */
    build_pid = getppid();
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != build_pid)
        return 125;
    catch_forwarded();
    int errpipe[2];
    if (pipe2(errpipe, O_CLOEXEC) != 0)
        return 125;
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "snippets-init: fork: %s\n", strerror(errno));
        return 125;
    }
    if (pid == 0) {
        close(report_fd);
        if (watch >= 0)
            close(watch);
        close(errpipe[0]);
        run_example(program, nproc, uid, errpipe[1]);
    }
    example_pid = pid;
    close(errpipe[1]);
    pid_t ignored = -1;
    int exec_errno = 0, status = 0, have_status = 0;
    if (read_messages(errpipe[0], watch, &ignored, &exec_errno, &status, &have_status) < 0)
        return abandon(0);
    close(errpipe[0]);
    if (exec_errno && report)
        fprintf(report, "exec-failed %d\n", exec_errno);
    if (wait_child(pid, &status, watch) == -1)
        return abandon(0);
    if (report)
        fprintf(report, "status %d\n", status);
    /* First sweep reports what the example left behind; later rounds catch
     * anything forked while we were killing (a fork bomb races us). */
    sweep(report, 0, -1);
    if (report)
        fclose(report);
    wait_for_tracer(0);
    for (int round = 0; round < 200; round++) {
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        if (sweep(NULL, 0, -1) == 0)
            break;
        usleep(1000);
    }
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv) {
    int report_fd = -1, in_namespace = 0, watch = -1, i = 1;
    const char *nproc = NULL, *hold_dir = NULL, *size = NULL;
    long uid = -1;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        char *arg = argv[i];
        if (!strncmp(arg, "--report=", 9)) { report_fd = atoi(arg + 9); continue; }
        if (!strcmp(arg, "--ns")) { in_namespace = 1; continue; }
        if (!strncmp(arg, "--hold=", 7)) { hold_dir = arg + 7; continue; }
        if (!strncmp(arg, "--watch-fd=", 11)) { watch = atoi(arg + 11); continue; }
        if (!strncmp(arg, "--mountns=", 10)) {
            if (enter_mount_namespace(arg + 10) != 0)
                return 125;
            continue;
        }
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
        int rc = 0;
        if (!strcmp(key, "cpu")) rc = set_limit(RLIMIT_CPU, value);
        else if (!strcmp(key, "as")) rc = set_limit(RLIMIT_AS, value);
        else if (!strcmp(key, "fsize")) rc = set_limit(RLIMIT_FSIZE, value);
        else if (!strcmp(key, "nofile")) rc = set_limit(RLIMIT_NOFILE, value);
        else if (!strcmp(key, "core")) rc = set_limit(RLIMIT_CORE, value);
        else if (!strcmp(key, "nproc")) nproc = value;
        else if (!strcmp(key, "uid")) uid = strtol(value, NULL, 10);
        else if (!strcmp(key, "size")) size = value;
        else {
            fprintf(stderr, "snippets-init: unknown limit %s\n", key);
            return 125;
        }
        if (rc != 0)
            return 125;
    }
    if (hold_dir)
        return hold(hold_dir, size, uid);
    if (i >= argc - 1) {
        fprintf(stderr, "usage: snippets-init [--cgroup=DIR]... [--mountns=PATH] [--report=FD [--ns] [--watch-fd=N]] [LIMIT=N]... -- program args...\n"
                        "       snippets-init --hold=DIR size=N [uid=N]\n");
        return 125;
    }
    char **program = &argv[i + 1];
    if (report_fd < 0) {
        /* The launcher's parent is the build: if the build dies (SIGTERM,
         * SIGKILL, a crash), take the sandbox down with it.  The box's own
         * processes stay out of reach of the memory cgroup's OOM killer
         * (become_example() restores the example's score). */
        pid_t parent = getppid();
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            return 125;
        write_file("/proc/self/oom_score_adj", "-1000\n");
        execvp(program[0], program);
        fprintf(stderr, "snippets-init: cannot execute %s: %s\n", program[0], strerror(errno));
        return 127;
    }
    FILE *report = fdopen(report_fd, "w");
    if (in_namespace)
        return supervise_namespace(program, nproc, uid, report, watch);
    return supervise_flat(program, nproc, uid, report, report_fd, watch);
}
