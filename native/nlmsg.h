// Netlink message framing: building a request around a Generic Netlink
// payload and reading the status the kernel answers with (NLMSG_ERROR,
// NLMSG_DONE, extended ack). Attribute encoding of the payload itself lives
// in TypeScript (src/protocol/codec.ts); this file only frames bytes.
#ifndef FALCON_NATIVE_NLMSG_H
#define FALCON_NATIVE_NLMSG_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace falcon {

// What the kernel said in an NLMSG_ERROR (ack or nack) or an NLMSG_DONE.
struct NlStatus {
  // 0 for success, else a positive errno.
  int error = 0;
  // Extack NLMSGERR_ATTR_MSG, when present.
  bool hasMessage = false;
  std::string message;
  // Extack NLMSGERR_ATTR_OFFS: offset of the offending attribute from the
  // start of the request's nlmsghdr, or -1.
  int64_t badAttrOffset = -1;
  // Extack NLMSGERR_ATTR_MISS_TYPE (kernels >= 6.0): a missing attribute, or -1.
  int64_t missingType = -1;
};

// Frames `payload` (genlmsghdr + attributes) as one netlink request.
std::vector<uint8_t> BuildRequest(uint16_t type, uint16_t flags, uint32_t seq,
                                  const uint8_t* payload, size_t length);

// Reads an NLMSG_ERROR message (nlmsghdr included, `length` = nlmsg_len).
// Returns false when it is too short to hold a struct nlmsgerr.
bool ParseErrorMessage(const uint8_t* message, size_t length, NlStatus* out);

// Reads an NLMSG_DONE message; a dump that failed midway carries a negative
// errno (and possibly extack) here.
bool ParseDoneMessage(const uint8_t* message, size_t length, NlStatus* out);

}  // namespace falcon

#endif
