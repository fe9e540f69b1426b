/* A harmless stand-in for container escape attempts, run inside test
 * containers. Each argument names one attempt; every call is made so that it
 * fails or does nothing (invalid reboot magic, a bogus file handle), yet the
 * kernel's syscall audit path sees it. Appends "<pid> <attempt> <result>" to
 * the file named by $HELPER_LOG (if set) so a test can compare pids.
 * Built static so it runs in a busybox rootfs. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
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

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s ptrace|setns|reboot|open_by_handle_at|read:PATH ...\n", argv[0]);
    return 2;
  }
  for (int i = 1; i < argc; ++i) {
    const char *a = argv[i];
    if (!strcmp(a, "ptrace")) report(a, try_ptrace());
    else if (!strcmp(a, "setns")) report(a, try_setns());
    else if (!strcmp(a, "reboot")) report(a, try_reboot());
    else if (!strcmp(a, "open_by_handle_at")) report(a, try_open_by_handle_at());
    else if (!strncmp(a, "read:", 5)) report(a, try_read(a + 5));
    else {
      fprintf(stderr, "unknown attempt %s\n", a);
      return 2;
    }
  }
  return 0;
}
