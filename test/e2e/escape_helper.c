/* A harmless stand-in for container escape attempts, run inside test
 * containers. Each argument names one attempt; every call is made so that it
 * fails or does nothing (invalid reboot magic, a bogus file handle), yet the
 * kernel's syscall audit path sees it. Appends "<pid> <attempt> <result>" to
 * the file named by $HELPER_LOG (if set) so a test can compare pids.
 * Built static so it runs in a busybox rootfs. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void report(const char *what, long rc) {
  const char *path = getenv("HELPER_LOG");
  int err = rc < 0 ? errno : 0;
  printf("%d %s %ld %s\n", (int)getpid(), what, rc, rc < 0 ? strerror(err) : "ok");
  fflush(stdout);
  if (path) {
    FILE *f = fopen(path, "a");
    if (f) {
      fprintf(f, "%d %s %ld\n", (int)getpid(), what, rc);
      fclose(f);
    }
  }
}

/* PTRACE_SEIZE does not stop the tracee (the container's init); detach at once. */
static long try_ptrace(void) {
  long rc = ptrace(PTRACE_SEIZE, 1, NULL, NULL);
  if (rc == 0) ptrace(PTRACE_DETACH, 1, NULL, NULL);
  return rc;
}

static long try_setns(void) {
  int fd = open("/proc/1/ns/mnt", O_RDONLY);
  long rc = syscall(SYS_setns, fd, 0);
  if (fd >= 0) close(fd);
  return rc;
}

/* An invalid magic: the kernel refuses before anything happens. */
static long try_reboot(void) { return syscall(SYS_reboot, 0x1234, 0x5678, 0, NULL); }

static long try_open_by_handle_at(void) {
  struct {
    unsigned int handle_bytes;
    int handle_type;
    unsigned char f_handle[8];
  } h = {8, 1, {0}};
  return syscall(SYS_open_by_handle_at, AT_FDCWD, &h, O_RDONLY);
}

static long try_read(const char *path) {
  char buf[64];
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  long n = read(fd, buf, sizeof buf);
  close(fd);
  return n;
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

/* The Dirty COW pattern (CVE-2016-5195), bounded to 0.2 s: writes through
 * /proc/self/mem to a read-only private mapping of a file of our own while a
 * second thread loops madvise(MADV_DONTNEED) on it. On a patched kernel the
 * writes land in a private copy; the file is never changed. */
static char *cow_map;
static volatile int cow_stop;
static void *cow_madvise(void *arg) {
  (void)arg;
  while (!cow_stop) madvise(cow_map, 4096, MADV_DONTNEED);
  return NULL;
}
static long try_dirty_cow(void) {
  const char *file = "/tmp/dirty-cow-target";
  int fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || write(fd, "original\n", 9) != 9) return -1;
  close(fd);
  fd = open(file, O_RDONLY);
  cow_map = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (cow_map == MAP_FAILED) return -1;
  int mem = open("/proc/self/mem", O_RDWR);
  if (mem < 0) return -1;
  pthread_t t;
  cow_stop = 0;
  pthread_create(&t, NULL, cow_madvise, NULL);
  long writes = 0;
  for (const double end = now_s() + 0.2; now_s() < end && writes < 100000; ++writes) {
    lseek(mem, (off_t)(unsigned long)cow_map, SEEK_SET);
    if (write(mem, "changed!\n", 9) < 0) break;
  }
  cow_stop = 1;
  pthread_join(t, NULL);
  close(mem);
  munmap(cow_map, 4096);
  unlink(file);
  return writes;
}

/* The Dirty COW primitive through openat2 (flags in struct open_how): opens
 * /proc/self/mem read-write and closes it at once. */
static long try_openat2_mem(void) {
  struct {
    unsigned long long flags, mode, resolve;
  } how = {O_RDWR | O_CLOEXEC, 0, 0};
  long fd = syscall(SYS_openat2, AT_FDCWD, "/proc/self/mem", &how, sizeof how);
  if (fd >= 0) close((int)fd);
  return fd;
}

/* Ordinary malloc-heavy work: many blocks of many sizes allocated, written,
 * freed; large ones through mmap and back (glibc trims with madvise). */
static long try_malloc_churn(void) {
  enum { kSlots = 4096 };
  static char *slots[kSlots];
  unsigned seed = 7;
  long total = 0;
  for (int round = 0; round < 200000; ++round) {
    seed = seed * 1103515245u + 12345u;
    int i = (int)(seed % kSlots);
    free(slots[i]);
    size_t size = (seed >> 8) % 7 == 0 ? 256 * 1024 + (seed % 65536) : 16 + (seed % 4096);
    slots[i] = malloc(size);
    if (!slots[i]) return -1;
    memset(slots[i], round & 0xff, size);
    total += (long)size;
  }
  for (int i = 0; i < kSlots; ++i) free(slots[i]);
  malloc_trim(0);
  return total > 0 ? 0 : -1;
}

/* Opens PATH for writing and closes it at once: nothing is ever written. */
static long try_open_write(const char *path) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) close(fd);
  return fd;
}

/* The CVE-2019-5736 pattern: run the runtime binary PATH as a child (blocked
 * opening a FIFO as its log), then open /proc/<child>/exe for writing. */
static long try_runtime_exe(const char *path) {
  const char *fifo = "/tmp/runtime-log";
  unlink(fifo);
  if (mkfifo(fifo, 0600) != 0) return -1;
  pid_t child = fork();
  if (child == 0) {
    execl(path, path, "--log", fifo, "list", (char *)NULL);
    _exit(127);
  }
  char exe[64], target[256];
  snprintf(exe, sizeof exe, "/proc/%d/exe", (int)child);
  long rc = -1;
  for (const double end = now_s() + 2; now_s() < end;) {
    ssize_t n = readlink(exe, target, sizeof target - 1);
    if (n > 0) {
      target[n] = 0;
      if (strstr(target, "helper") == NULL) {
        int fd = open(exe, O_WRONLY);
        rc = fd;
        if (fd >= 0) close(fd);
        break;
      }
    }
    usleep(1000);
  }
  int saved = errno;
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
  unlink(fifo);
  errno = saved;
  return rc;
}

/* N refused setuid calls: it drops to uid 1000 and asks for root back;
 * without CAP_SETUID the drop is refused too and it asks for 1000. The
 * helper keeps the uid it ends with, so this attempt goes last. */
static long try_setuid_fail(int n) {
  const uid_t target = setresuid(1000, 1000, 1000) == 0 ? 0 : 1000;
  int refused = 0;
  for (int i = 0; i < n; ++i)
    if (setuid(target) != 0) ++refused;
  return refused == n ? n : -1;
}

static long try_connect(const char *path) {
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un a;
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  strncpy(a.sun_path, path, sizeof a.sun_path - 1);
  long rc = connect(s, (struct sockaddr *)&a, sizeof a);
  close(s);
  return rc;
}

/* finit_module of a file that is no module: refused (or ENOSYS). */
static long try_finit_module(const char *path) {
  int fd = open(path, O_RDONLY);
  long rc = syscall(SYS_finit_module, fd, "", 0);
  if (fd >= 0) close(fd);
  return rc;
}

/* N ptrace attempts as fast as the kernel lets them through: an audit storm. */
static long try_ptrace_storm(long n) {
  long failed = 0;
  for (long i = 0; i < n; ++i) failed += try_ptrace() != 0;
  return failed == n ? -1 : 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr,
            "usage: %s ptrace|setns|reboot|open_by_handle_at|read:PATH|dirty_cow|openat2_mem|malloc_churn|open_write:PATH|"
            "runtime_exe:PATH|setuid_fail:N|connect:PATH|finit_module:PATH|ptrace_storm:N ...\n",
            argv[0]);
    return 2;
  }
  for (int i = 1; i < argc; ++i) {
    const char *a = argv[i];
    if (!strcmp(a, "ptrace")) report(a, try_ptrace());
    else if (!strcmp(a, "setns")) report(a, try_setns());
    else if (!strcmp(a, "reboot")) report(a, try_reboot());
    else if (!strcmp(a, "open_by_handle_at")) report(a, try_open_by_handle_at());
    else if (!strncmp(a, "read:", 5)) report(a, try_read(a + 5));
    else if (!strcmp(a, "dirty_cow")) report(a, try_dirty_cow());
    else if (!strcmp(a, "openat2_mem")) report(a, try_openat2_mem());
    else if (!strcmp(a, "malloc_churn")) report(a, try_malloc_churn());
    else if (!strncmp(a, "open_write:", 11)) report(a, try_open_write(a + 11));
    else if (!strncmp(a, "runtime_exe:", 12)) report(a, try_runtime_exe(a + 12));
    else if (!strncmp(a, "setuid_fail:", 12)) report(a, try_setuid_fail(atoi(a + 12)));
    else if (!strncmp(a, "connect:", 8)) report(a, try_connect(a + 8));
    else if (!strncmp(a, "ptrace_storm:", 13)) report(a, try_ptrace_storm(atol(a + 13)));
    else if (!strncmp(a, "finit_module:", 13)) report(a, try_finit_module(a + 13));
    else {
      fprintf(stderr, "unknown attempt %s\n", a);
      return 2;
    }
  }
  return 0;
}
