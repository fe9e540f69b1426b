/* Load generator for tools/bench/live-load and tools/bench/alarm-storm.
 * Linked statically: the same binary runs on the host and in a busybox
 * container. Modes:
 *
 *   loadgen load RATE SECONDS EXEC_RATE FILE EXE
 *     For SECONDS, RATE watched system calls per second, alternating a
 *     ptrace attempt (PTRACE_PEEKDATA on a pid that cannot exist: ESRCH, no
 *     process is ever touched) and an open(FILE, O_RDONLY) + close; and
 *     EXEC_RATE fork + execve(EXE) per second (children reaped by the
 *     kernel). Paced against absolute deadlines every millisecond, so a
 *     stall is caught up, not lost. 0 SECONDS: until killed (storm mode,
 *     RATE 0: as fast as possible). Prints "calls N execs M seconds S".
 *
 *   loadgen storm ptrace|open FILE SECONDS
 *     A tight loop of one call: ptrace attempts (as above) or open(FILE) +
 *     close, for SECONDS. Prints "calls N seconds S".
 *
 *   loadgen probe-target DIR
 *     Reads numbers from stdin; for each N: takes CLOCK_REALTIME, opens
 *     DIR/p-N and prints "N <ns before> <ns after>" (the moments before the
 *     system call and after it returned: the kernel queues the audit record
 *     before the call returns, waiting for backlog room when it is full).
 *
 *   loadgen probe SOCKET QUERY REQ RESP INTERVAL_MS SECONDS FIRST
 *     Every INTERVAL_MS, asks the probe target (FIFO REQ, answers on RESP) to
 *     open a new probe file (numbered from FIRST), then long-polls GET QUERY
 *     over the cshieldd API Unix SOCKET, with "&since=<50 ms before the
 *     open>&wait=<seconds left>" appended: cshieldd holds the request until
 *     an alarm of the query seen since then is stored, so one request
 *     usually suffices. An answer without the probe's alarm (another alarm of
 *     the query, an error) is followed by the next request 1 ms later. The
 *     50 ms cover the kernel's coarse audit clock; the previous probe's alarm
 *     is at least INTERVAL_MS older.
 *     Prints one "latency_ms N open_ms M" line per probe, M the part spent in
 *     the open() call itself ("missed N" after 5 s).
 *     SOCKET "-": only trigger the opens (the same load for the peers). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static double now_s(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long long realtime_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int load(double rate, double seconds, double exec_rate, const char *file, const char *exe) {
  signal(SIGCHLD, SIG_IGN); /* children are reaped by the kernel */
  const double start = now_s(CLOCK_MONOTONIC);
  unsigned long calls = 0, execs = 0;
  for (;;) {
    const double elapsed = now_s(CLOCK_MONOTONIC) - start;
    if (seconds > 0 && elapsed >= seconds) break;
    const unsigned long due_calls = rate > 0 ? (unsigned long)(rate * elapsed) : calls + 64;
    const unsigned long due_execs = (unsigned long)(exec_rate * elapsed);
    while (calls < due_calls) {
      if (calls & 1) {
        int fd = open(file, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) close(fd);
      } else {
        ptrace(PTRACE_PEEKDATA, 0x7ffffff0, NULL, NULL);
      }
      ++calls;
    }
    while (execs < due_execs) {
      pid_t pid = fork();
      if (pid == 0) {
        char *const argv[] = {(char *)exe, NULL};
        execv(exe, argv);
        _exit(127);
      }
      ++execs;
    }
    if (rate > 0) {
      struct timespec ms = {0, 1000000};
      nanosleep(&ms, NULL);
    }
  }
  printf("calls %lu execs %lu seconds %.3f\n", calls, execs, now_s(CLOCK_MONOTONIC) - start);
  return 0;
}

static int storm(const char *kind, const char *file, double seconds) {
  const int use_ptrace = strcmp(kind, "ptrace") == 0;
  const double start = now_s(CLOCK_MONOTONIC);
  unsigned long calls = 0;
  while (now_s(CLOCK_MONOTONIC) - start < seconds) {
    for (int i = 0; i < 256; ++i, ++calls) {
      if (use_ptrace) {
        ptrace(PTRACE_PEEKDATA, 0x7ffffff0, NULL, NULL);
      } else {
        int fd = open(file, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) close(fd);
      }
    }
  }
  printf("calls %lu seconds %.3f\n", calls, now_s(CLOCK_MONOTONIC) - start);
  return 0;
}

static int probe_target(const char *dir) {
  char line[64], path[4096];
  setvbuf(stdout, NULL, _IOLBF, 0);
  while (fgets(line, sizeof line, stdin)) {
    long n = strtol(line, NULL, 10);
    snprintf(path, sizeof path, "%s/p-%ld", dir, n);
    long long t = realtime_ns();
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    long long opened = realtime_ns();  /* open() returns once the kernel has queued its record */
    if (fd >= 0) close(fd);
    printf("%ld %lld %lld\n", n, t, opened);
  }
  return 0;
}

/* One GET over the Unix socket; the body (and headers) into buf. */
static int http_get(const char *socket_path, const char *query, char *buf, size_t cap) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  snprintf(addr.sun_path, sizeof addr.sun_path, "%s", socket_path);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  char req[1024];
  int len = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: cshield\r\nConnection: close\r\n\r\n", query);
  if (write(fd, req, (size_t)len) != len) {
    close(fd);
    return -1;
  }
  size_t got = 0;
  ssize_t n;
  while (got + 1 < cap && (n = read(fd, buf + got, cap - 1 - got)) > 0) got += (size_t)n;
  buf[got] = 0;
  close(fd);
  return 0;
}

static int probe(const char *socket_path, const char *query, const char *req_path, const char *resp_path,
                 long interval_ms, double seconds, long first) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  FILE *req = fopen(req_path, "w");
  FILE *resp = req ? fopen(resp_path, "r") : NULL;
  if (!req || !resp) {
    perror("probe fifo");
    return 1;
  }
  setvbuf(req, NULL, _IOLBF, 0);
  static char body[1 << 20];
  const int poll_api = strcmp(socket_path, "-") != 0;
  const double start = now_s(CLOCK_MONOTONIC);
  for (long n = first; now_s(CLOCK_MONOTONIC) - start < seconds; ++n) {
    struct timespec pause = {interval_ms / 1000, (interval_ms % 1000) * 1000000};
    nanosleep(&pause, NULL);
    fprintf(req, "%ld\n", n);
    long echoed = 0;
    long long sent = 0, opened = 0;
    if (fscanf(resp, "%ld %lld %lld", &echoed, &sent, &opened) != 3 || echoed != n) {
      fprintf(stderr, "probe target did not answer %ld\n", n);
      return 1;
    }
    if (!poll_api) continue;
    char needle[64];
    snprintf(needle, sizeof needle, "/p-%ld\"", n);
    const long long since_ms = sent / 1000000LL - 50;
    int found = 0;
    long long left;
    while ((left = 5000000000LL - (realtime_ns() - sent)) > 0) {
      char target[2048];
      const long long wait_s = (left + 999999999LL) / 1000000000LL;
      snprintf(target, sizeof target, "%s&since=%lld.%03lld&wait=%lld", query, since_ms / 1000, since_ms % 1000,
               wait_s);
      if (http_get(socket_path, target, body, sizeof body) == 0 && strstr(body, needle)) {
        found = 1;
        break;
      }
      struct timespec ms = {0, 1000000};
      nanosleep(&ms, NULL);
    }
    if (found)
      printf("latency_ms %.3f open_ms %.3f\n", (double)(realtime_ns() - sent) / 1e6, (double)(opened - sent) / 1e6);
    else
      printf("missed %ld\n", n);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 7 && strcmp(argv[1], "load") == 0)
    return load(atof(argv[2]), atof(argv[3]), atof(argv[4]), argv[5], argv[6]);
  if (argc == 5 && strcmp(argv[1], "storm") == 0) return storm(argv[2], argv[3], atof(argv[4]));
  if (argc == 3 && strcmp(argv[1], "probe-target") == 0) return probe_target(argv[2]);
  if (argc == 9 && strcmp(argv[1], "probe") == 0)
    return probe(argv[2], argv[3], argv[4], argv[5], atol(argv[6]), atof(argv[7]), atol(argv[8]));
  fprintf(stderr,
          "usage: loadgen load RATE SECONDS EXEC_RATE FILE EXE\n"
          "       loadgen storm ptrace|open FILE SECONDS\n"
          "       loadgen probe-target DIR\n"
          "       loadgen probe SOCKET QUERY REQ RESP INTERVAL_MS SECONDS FIRST\n");
  return 2;
}
