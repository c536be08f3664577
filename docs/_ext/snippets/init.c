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
 * Run by root it can build the same box itself, in place of bubblewrap
 * (--box, see build_box below): the same namespaces, mounts and dropped
 * capabilities, made with the kernel's mount calls and no second program,
 * which saves about 2 ms of CPU per command (bench/isolation_overhead.py):
 *
 *     snippets-init --cgroup=DIR... ... --box=SIZE --hide=DIR... --show=PATH... \
 *         --work=DIR --chdir=/tmp/example --self-at=/tmp/.snippets/snippets-init -- \
 *         /tmp/.snippets/snippets-init --report=FD --ns ... -- program args...
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
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* The kernel's newer mount API (Linux 5.2, mount_setattr 5.12), declared here
 * because musl's headers do not carry it. */
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x04
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#define BOX_MOUNT_ATTR_RDONLY 0x1
#define BOX_MOUNT_ATTR_NOSUID 0x2
#define BOX_MOUNT_ATTR_NODEV 0x4
struct box_mount_attr { unsigned long long attr_set, attr_clr, propagation, userns_fd; };
#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

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

/* -- --box: the box without bubblewrap (root only) ---------------------------
 *
 * What bubblewrap's options in sandbox.py ask for, built directly: new PID,
 * network, IPC, UTS and mount namespaces; a read-only copy of / (nosuid,
 * nodev); a fresh /dev with the usual devices and its own ptys; a /proc of
 * the new PID namespace with sys, sysrq-trigger, irq and bus read-only;
 * size-limited tmpfs on /tmp, /var/tmp, /dev/shm and /run; empty read-only
 * tmpfs over the hidden directories; the visible paths bound read-only and
 * the working directory read-write; hostname "example", a new session, no
 * capabilities (CAP_SETUID, CAP_SETGID and CAP_KILL kept with --keep-setuid,
 * for PID 1 to switch the example to its own uid) and no new privileges.
 *
 * This process stays outside as the box's monitor, as bubblewrap's does: it
 * waits for PID 1 and exits with its status; PID 1 dies with it (SIGKILL),
 * and it dies with the build (the launcher's own PDEATHSIG).  Everything is
 * cloned or mounted before the new root replaces the old one, whose mounts
 * are then detached: nothing of the host is reachable but what is listed. */

#define BOX_MAX_PATHS 64

struct box_spec {
    const char *size, *work, *chdir_to, *self_at;
    const char *hide[BOX_MAX_PATHS], *show[BOX_MAX_PATHS];
    int hides, shows, keep_setuid;
};

static int box_failed(const char *what, const char *path) {
    fprintf(stderr, "snippets-init: cannot build the box: %s %s: %s\n", what, path ? path : "", strerror(errno));
    return -1;
}

static int open_tree_clone(const char *path, int recursive) {
    return (int)syscall(SYS_open_tree, AT_FDCWD, path, OPEN_TREE_CLONE | O_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
}

static int set_mount_attr(int fd, const char *path, unsigned long long attrs, int recursive) {
    struct box_mount_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.attr_set = attrs;
    return (int)syscall(SYS_mount_setattr, fd, path, (fd >= 0 ? AT_EMPTY_PATH : 0) | (recursive ? AT_RECURSIVE : 0),
                        &attr, sizeof attr);
}

static int attach(int fd, const char *target) {
    return (int)syscall(SYS_move_mount, fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH);
}

/* mkdir -p for a path relative to the new root (no leading slash). */
static int make_dirs(const char *path, mode_t mode) {
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return errno = ENAMETOOLONG, -1;
    for (char *p = buf + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(buf, mode) != 0 && errno != EEXIST)
                return -1;
            if (c == '\0')
                return 0;
            *p = c;
        }
    }
}

/* A mount point for `source` at `target` (relative): a directory or an empty file. */
static int mount_point(const char *target, int is_dir) {
    struct stat st;
    if (lstat(target, &st) == 0)
        return 0;
    char parent[4096];
    snprintf(parent, sizeof parent, "%s", target);
    char *slash = strrchr(parent, '/');
    if (slash) {
        *slash = '\0';
        if (make_dirs(parent, 0755) != 0)
            return -1;
    }
    if (is_dir)
        return mkdir(target, 0755);
    int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

static int scratch(const char *target, const char *size, const char *mode) {
    char options[128];
    snprintf(options, sizeof options, "size=%s,mode=%s", size, mode);
    if (mount_point(target, 1) != 0 || mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, options) != 0)
        return box_failed("tmpfs on", target);
    return 0;
}

static int make_dev(const char *size) {
    static const char *devices[] = {"null", "zero", "full", "random", "urandom", "tty"};
    char host[64], inside[64];
    if (mount("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0755") != 0)
        return box_failed("tmpfs on", "/dev");
    for (size_t i = 0; i < sizeof devices / sizeof *devices; i++) {
        snprintf(host, sizeof host, "/dev/%s", devices[i]);
        snprintf(inside, sizeof inside, "dev/%s", devices[i]);
        if (mount_point(inside, 0) != 0 || mount(host, inside, NULL, MS_BIND, NULL) != 0)
            return box_failed("bind", host);
    }
    if (mkdir("dev/pts", 0755) != 0 ||
        mount("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620") != 0)
        return box_failed("devpts on", "/dev/pts");
    static const char *links[][2] = {{"pts/ptmx", "dev/ptmx"}, {"/proc/self/fd", "dev/fd"},
                                     {"/proc/self/fd/0", "dev/stdin"}, {"/proc/self/fd/1", "dev/stdout"},
                                     {"/proc/self/fd/2", "dev/stderr"}, {"/proc/kcore", "dev/core"}};
    for (size_t i = 0; i < sizeof links / sizeof *links; i++)
        if (symlink(links[i][0], links[i][1]) != 0)
            return box_failed("symlink", links[i][1]);
    if (scratch("dev/shm", size, "1777") != 0)
        return -1;
    /* Unlike bubblewrap's, this /dev is read-only: nothing may be added to it. */
    if (mount(NULL, "dev", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) != 0)
        return box_failed("remount read-only", "/dev");
    return 0;
}

static int make_proc(void) {
    static const char *covered[] = {"proc/sys", "proc/sysrq-trigger", "proc/irq", "proc/bus"};
    if (mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
        return box_failed("proc on", "/proc");
    for (size_t i = 0; i < sizeof covered / sizeof *covered; i++) {
        if (access(covered[i], F_OK) != 0)
            continue;
        if (mount(covered[i], covered[i], NULL, MS_BIND | MS_REC, NULL) != 0 ||
            set_mount_attr(AT_FDCWD, covered[i], BOX_MOUNT_ATTR_RDONLY | BOX_MOUNT_ATTR_NOSUID | BOX_MOUNT_ATTR_NODEV, 1) != 0)
            return box_failed("read-only", covered[i]);
    }
    return 0;
}

/* Keep only CAP_SETUID, CAP_SETGID and CAP_KILL (keep != 0) or nothing, in
 * every set and in the bounding set, which is what root gets back at exec. */
static int drop_capabilities(int keep) {
    const unsigned long long kept = keep ? (1ULL << 7) | (1ULL << 6) | (1ULL << 5) : 0;  /* SETUID, SETGID, KILL */
    for (int cap = 0; cap < 64; cap++) {
        if (kept & (1ULL << cap))
            continue;
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
            return box_failed("drop capability", NULL);
    }
    prctl(PR_CAP_AMBIENT, 4 /* PR_CAP_AMBIENT_CLEAR_ALL */, 0, 0, 0);
    struct { unsigned int version; int pid; } header = {0x20080522 /* _LINUX_CAPABILITY_VERSION_3 */, 0};
    struct { unsigned int effective, permitted, inheritable; } data[2];
    memset(data, 0, sizeof data);
    data[0].effective = data[0].permitted = (unsigned int)kept;
    if (syscall(SYS_capset, &header, data) != 0)
        return box_failed("capset", NULL);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return box_failed("no_new_privs", NULL);
    return 0;
}

/* The new network namespace's loopback interface, up (the kernel gives it
 * 127.0.0.1 and ::1), so that an example's processes can talk over it. */
static int loopback_up(void) {
    struct ifreq ifr;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    int ok = fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 &&
             (ifr.ifr_flags |= IFF_UP, ioctl(fd, SIOCSIFFLAGS, &ifr) == 0);
    if (fd >= 0)
        close(fd);
    return ok ? 0 : box_failed("loopback up", NULL);
}

/* In the child, PID 1 of the new namespaces: mounts, pivot, identity. */
static int enter_box(const struct box_spec *spec) {
    int shown[BOX_MAX_PATHS];
    char rel[4096];
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
        return box_failed("make private", "/");
    /* Clone everything we need from the old tree first: the new root is
     * attached on /tmp, over anything there (the working directory too). */
    int root = open_tree_clone("/", 1);
    int work = open_tree_clone(spec->work, 0);
    char exe[4096];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[len > 0 ? len : 0] = '\0';
    int self = len > 0 ? open_tree_clone(exe, 0) : -1;
    if (root < 0 || work < 0 || self < 0)
        return box_failed("clone", root < 0 ? "/" : work < 0 ? spec->work : exe);
    const unsigned long long ro = BOX_MOUNT_ATTR_RDONLY | BOX_MOUNT_ATTR_NOSUID | BOX_MOUNT_ATTR_NODEV;
    if (set_mount_attr(root, "", ro, 1) != 0 || set_mount_attr(self, "", ro, 0) != 0)
        return box_failed("read-only", "/");
    for (int i = 0; i < spec->shows; i++) {
        shown[i] = open_tree_clone(spec->show[i], 1);
        if (shown[i] < 0 || set_mount_attr(shown[i], "", ro, 1) != 0)
            return box_failed("bind read-only", spec->show[i]);
    }
    if (attach(root, "/tmp") != 0 || chdir("/tmp") != 0)
        return box_failed("attach the new root on", "/tmp");
    /* From here on, relative paths are inside the box. */
    if (scratch("tmp", spec->size, "1777") != 0 || scratch("var/tmp", spec->size, "1777") != 0 ||
        scratch("run", spec->size, "0755") != 0 || make_dev(spec->size) != 0 || make_proc() != 0)
        return -1;
    /* A hidden directory under /tmp (say) is made in the box's /tmp, empty, as
     * bubblewrap does. */
    for (int i = 0; i < spec->hides; i++)
        if (mount_point(spec->hide[i] + 1, 1) != 0 ||
            mount("tmpfs", spec->hide[i] + 1, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0755") != 0)
            return box_failed("hide", spec->hide[i]);
    for (int i = 0; i < spec->shows; i++) {
        struct stat st;
        if (fstat(shown[i], &st) != 0 || mount_point(spec->show[i] + 1, S_ISDIR(st.st_mode)) != 0 ||
            attach(shown[i], spec->show[i] + 1) != 0)
            return box_failed("show", spec->show[i]);
        close(shown[i]);
    }
    snprintf(rel, sizeof rel, "%s", spec->chdir_to + 1);
    if (mount_point(rel, 1) != 0 || attach(work, rel) != 0)
        return box_failed("bind the working directory on", spec->chdir_to);
    snprintf(rel, sizeof rel, "%s", spec->self_at + 1);
    if (mount_point(rel, 0) != 0 || attach(self, rel) != 0)
        return box_failed("bind the launcher on", spec->self_at);
    for (int i = 0; i < spec->hides; i++)
        if (mount(NULL, spec->hide[i] + 1, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) != 0)
            return box_failed("hide read-only", spec->hide[i]);
    /* The new root replaces the old one, which is then detached as a whole. */
    if (syscall(SYS_pivot_root, ".", ".") != 0 || umount2(".", MNT_DETACH) != 0 || chdir(spec->chdir_to) != 0)
        return box_failed("pivot_root", NULL);
    if (loopback_up() != 0 || sethostname("example", 7) != 0 || setsid() < 0)
        return box_failed("hostname, session", NULL);
    setenv("PWD", spec->chdir_to, 1);  /* as bubblewrap's --chdir does: pages show the same environment */
    return drop_capabilities(spec->keep_setuid);
}

/* --box: fork PID 1 into new namespaces, build its box, exec the program
 * there; stay outside as its monitor.  Returns only on failure. */
static int build_box(const struct box_spec *spec, char **program) {
    if (!spec->work || !spec->chdir_to || !spec->self_at || spec->chdir_to[0] != '/' || spec->self_at[0] != '/') {
        fprintf(stderr, "snippets-init: --box needs --work, --chdir and --self-at (absolute)\n");
        return 125;
    }
    for (int i = 0; i < spec->hides; i++)
        if (spec->hide[i][0] != '/' || spec->hide[i][1] == '\0')
            return fprintf(stderr, "snippets-init: --hide needs an absolute path other than /\n"), 125;
    for (int i = 0; i < spec->shows; i++)
        if (spec->show[i][0] != '/' || spec->show[i][1] == '\0')
            return fprintf(stderr, "snippets-init: --show needs an absolute path other than /\n"), 125;
    if (unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS) != 0) {
        box_failed("unshare", NULL);
        return 125;
    }
    /* A pipe only the monitor writes to: PID 1 sees its parent (outside the
     * namespace) as 0, so it learns through the pipe whether the monitor
     * died before PDEATHSIG was armed. */
    int alive[2];
    if (pipe2(alive, O_CLOEXEC) != 0) {
        box_failed("pipe", NULL);
        return 125;
    }
    pid_t pid = fork();
    if (pid < 0) {
        box_failed("fork", NULL);
        return 125;
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        close(alive[1]);
        struct pollfd gone = {alive[0], POLLIN, 0};
        if (poll(&gone, 1, 0) != 0)
            _exit(125);
        close(alive[0]);
        if (enter_box(spec) != 0)
            _exit(125);
        execv(program[0], program);
        fprintf(stderr, "snippets-init: cannot execute %s: %s\n", program[0], strerror(errno));
        _exit(127);
    }
    /* The monitor holds nothing of the box's: its pipes close when the box's
     * processes close them. */
    close(alive[0]);
    prctl(PR_SET_NAME, "snippets-init");  /* as the sandbox and postmortem know it (not the -<hash> file name) */
    if (alive[1] > 3)
        syscall(SYS_close_range, 3, alive[1] - 1, 0);
    syscall(SYS_close_range, alive[1] + 1, ~0U, 0);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return 125;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv) {
    int report_fd = -1, in_namespace = 0, watch = -1, i = 1;
    const char *nproc = NULL, *hold_dir = NULL, *size = NULL;
    long uid = -1;
    struct box_spec box;
    memset(&box, 0, sizeof box);
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        char *arg = argv[i];
        if (!strncmp(arg, "--box=", 6)) { box.size = arg + 6; continue; }
        if (!strncmp(arg, "--work=", 7)) { box.work = arg + 7; continue; }
        if (!strncmp(arg, "--chdir=", 8)) { box.chdir_to = arg + 8; continue; }
        if (!strncmp(arg, "--self-at=", 10)) { box.self_at = arg + 10; continue; }
        if (!strcmp(arg, "--keep-setuid")) { box.keep_setuid = 1; continue; }
        if (!strncmp(arg, "--hide=", 7) || !strncmp(arg, "--show=", 7)) {
            int hide = arg[2] == 'h';
            int *count = hide ? &box.hides : &box.shows;
            if (*count >= BOX_MAX_PATHS) {
                fprintf(stderr, "snippets-init: more than %d %s paths\n", BOX_MAX_PATHS, hide ? "hidden" : "visible");
                return 125;
            }
            (hide ? box.hide : box.show)[(*count)++] = arg + 7;
            continue;
        }
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
                        "       snippets-init [--cgroup=DIR]... [--mountns=PATH] [LIMIT=N]... --box=SIZE --work=DIR --chdir=DIR --self-at=PATH\n"
                        "                     [--hide=DIR]... [--show=PATH]... [--keep-setuid] -- program args...\n"
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
        if (box.size)
            return build_box(&box, program);
        execvp(program[0], program);
        fprintf(stderr, "snippets-init: cannot execute %s: %s\n", program[0], strerror(errno));
        return 127;
    }
    FILE *report = fdopen(report_fd, "w");
    if (in_namespace)
        return supervise_namespace(program, nproc, uid, report, watch);
    return supervise_flat(program, nproc, uid, report, report_fd, watch);
}
