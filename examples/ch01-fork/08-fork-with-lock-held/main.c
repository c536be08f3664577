// BROKEN ON PURPOSE: this program hangs forever.
// fork() copies the whole memory, including a mutex that another thread has
// locked, but only the thread that called fork() exists in the child. Nobody
// in the child will ever unlock that mutex.
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static sem_t locked;

static void *worker(void *arg) {
    (void)arg;
    pthread_mutex_lock(&lock);
    sem_post(&locked);  // tell main: "I hold the lock now"
    usleep(500 * 1000); // work for 0.5 s with the lock held
    pthread_mutex_unlock(&lock);
    printf("parent's worker thread: unlocked\n");
    fflush(stdout);
    return NULL;
}

int main(void) {
    sem_init(&locked, 0, 0);
    pthread_t thread;
    pthread_create(&thread, NULL, worker, NULL);
    sem_wait(&locked);  // fork exactly while the worker holds the lock

    // ANCHOR: fork
    pid_t pid = fork();
    if (pid == 0) {
        printf("child pid=%d: taking the lock...\n", getpid());
        fflush(stdout);  // flush now: a killed process never flushes its buffer
        pthread_mutex_lock(&lock);  // locked in our copy, and no thread to unlock it
        printf("child pid=%d: got the lock (never printed)\n", getpid());
        _exit(0);
    }
    // ANCHOR_END: fork
    pthread_join(thread, NULL);
    pthread_mutex_lock(&lock);  // the parent gets its own copy of the lock back
    printf("parent pid=%d: got the lock, now waiting for the child...\n", getpid());
    fflush(stdout);
    waitpid(pid, NULL, 0);  // waits forever: the child is stuck
    return 0;
}
