/* The floor for any libauparse consumer: feed an audit log to auparse's feed
 * interface in 64 KiB chunks and, for every event, walk every record and
 * field, reading each field's name and raw value. No interpretation, no
 * output. Prints "records events" on stdout.
 * Usage: auparse_floor FILE */
#include <auparse.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static unsigned long records, events, checksum;

static void on_event(auparse_state_t *au, auparse_cb_event_t type, void *data) {
  (void)data;
  if (type != AUPARSE_CB_EVENT_READY) return;
  ++events;
  if (auparse_first_record(au) <= 0) return;
  do {
    ++records;
    if (auparse_first_field(au) <= 0) continue;
    do {
      const char *name = auparse_get_field_name(au);
      const char *value = auparse_get_field_str(au);
      checksum += (name ? (unsigned char)name[0] : 0) + (value ? (unsigned char)value[0] : 0);
    } while (auparse_next_field(au) > 0);
  } while (auparse_next_record(au) > 0);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s FILE\n", argv[0]);
    return 2;
  }
  int fd = open(argv[1], O_RDONLY);
  if (fd < 0) {
    perror(argv[1]);
    return 1;
  }
  auparse_state_t *au = auparse_init(AUSOURCE_FEED, 0);
  auparse_add_callback(au, on_event, NULL, NULL);
  static char buf[65536];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) auparse_feed(au, buf, (size_t)n);
  auparse_flush_feed(au);
  auparse_destroy(au);
  close(fd);
  printf("%lu records %lu events (checksum %lu)\n", records, events, checksum);
  return 0;
}
