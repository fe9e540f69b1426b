// Appends each alarm as one line of JSON (export/alarm_export_json.h) to a
// file, created with mode 0640 (its directory must exist). The file stays
// open; reopen() (SIGHUP, after logrotate moved it) makes the next alarm go
// to a new file at the same path. A failed write (disk full) closes the file
// and fails, so the retry reopens it.
#pragma once

#include <string>

#include "export/export_channel.h"

namespace cshield {

class JsonlChannel : public ExportChannel {
 public:
  explicit JsonlChannel(std::string path);
  ~JsonlChannel() override;

  SendResult send(const Alarm& alarm, std::string& error) override;
  void reopen() override { close_file(); }

 private:
  void close_file();

  std::string path_;
  int fd_ = -1;
};

}  // namespace cshield
