// Where the first HTTP/1.x request on a connection ends, judged from the bytes
// received so far, without consuming them (the request gate peeks; Poco reads
// the same bytes afterwards). Pure functions, no I/O.
#pragma once

#include <cstddef>
#include <string_view>

namespace cshield {

enum class Framing {
  incomplete,        // more bytes are needed before the request is whole
  complete,          // the header and its declared body are all there (or the
                     // header is malformed: the HTTP server answers that itself)
  header_too_large,  // no end of header within `max_header` bytes
  body_too_large,    // the declared (Content-Length) or chunked body exceeds `max_body`
};

struct FramingLimits {
  std::size_t max_header = 16 * 1024;  // request line and header fields, with the blank line
  std::size_t max_body = 64 * 1024;    // decoded body bytes
};

// Judges `bytes`, the first bytes of a connection. The header ends at the
// first blank line (CRLF CRLF, or LF LF). A body is framed by
// "Transfer-Encoding: chunked" (chunks up to the last-chunk and the trailer's
// blank line) or else by Content-Length; without either there is none.
// An unparsable length or chunk size counts as complete: the server refuses it.
Framing frame_request(std::string_view bytes, const FramingLimits& limits);

}  // namespace cshield
