#include "nlmsg.h"

#include <linux/netlink.h>

#include <cstring>

namespace falcon {

std::vector<uint8_t> BuildRequest(uint16_t type, uint16_t flags, uint32_t seq,
                                  const uint8_t* payload, size_t length) {
  std::vector<uint8_t> bytes(NLMSG_SPACE(length), 0);
  nlmsghdr header{};
  header.nlmsg_len = static_cast<uint32_t>(NLMSG_LENGTH(length));
  header.nlmsg_type = type;
  header.nlmsg_flags = flags;
  header.nlmsg_seq = seq;
  header.nlmsg_pid = 0;  // the kernel fills in our port id
  std::memcpy(bytes.data(), &header, sizeof(header));
  if (length > 0) std::memcpy(bytes.data() + NLMSG_HDRLEN, payload, length);
  return bytes;
}

// NLMSGERR_ATTR_MISS_TYPE by number: older UAPI headers lack the name.
constexpr uint16_t kAttrMissType = 5;

// Walks the extack TLVs (struct nlattr) in [begin, end).
static void ParseExtack(const uint8_t* begin, const uint8_t* end, NlStatus* out) {
  const uint8_t* pos = begin;
  while (pos + NLA_HDRLEN <= end) {
    nlattr attr;
    std::memcpy(&attr, pos, sizeof(attr));
    if (attr.nla_len < NLA_HDRLEN || pos + attr.nla_len > end) return;
    const uint8_t* data = pos + NLA_HDRLEN;
    size_t dataLength = attr.nla_len - NLA_HDRLEN;
    switch (attr.nla_type & NLA_TYPE_MASK) {
      case NLMSGERR_ATTR_MSG: {
        // NUL-terminated, but do not trust it to be.
        size_t n = strnlen(reinterpret_cast<const char*>(data), dataLength);
        out->hasMessage = true;
        out->message.assign(reinterpret_cast<const char*>(data), n);
        break;
      }
      case NLMSGERR_ATTR_OFFS:
        if (dataLength >= 4) {
          uint32_t offset;
          std::memcpy(&offset, data, 4);
          out->badAttrOffset = offset;
        }
        break;
      case kAttrMissType:
        if (dataLength >= 4) {
          uint32_t missing;
          std::memcpy(&missing, data, 4);
          out->missingType = missing;
        }
        break;
      default:
        break;
    }
    pos += NLA_ALIGN(attr.nla_len);
  }
}

bool ParseErrorMessage(const uint8_t* message, size_t length, NlStatus* out) {
  if (length < NLMSG_HDRLEN + sizeof(nlmsgerr)) {
    // A bare error code without the echoed header is still an answer.
    if (length < NLMSG_HDRLEN + sizeof(int)) return false;
  }
  nlmsghdr header;
  std::memcpy(&header, message, sizeof(header));
  int error;
  std::memcpy(&error, message + NLMSG_HDRLEN, sizeof(error));
  out->error = error < 0 ? -error : error;
  if (!(header.nlmsg_flags & NLM_F_ACK_TLVS) || length < NLMSG_HDRLEN + sizeof(nlmsgerr))
    return true;
  // The TLVs follow the echoed request: its header only when the kernel
  // capped the echo (NETLINK_CAP_ACK), else the whole original message.
  nlmsgerr err;
  std::memcpy(&err, message + NLMSG_HDRLEN, sizeof(err));
  size_t tlvStart = NLMSG_HDRLEN + sizeof(nlmsgerr);
  if (!(header.nlmsg_flags & NLM_F_CAPPED) && err.msg.nlmsg_len > NLMSG_HDRLEN)
    tlvStart += NLMSG_ALIGN(err.msg.nlmsg_len) - NLMSG_HDRLEN;
  if (tlvStart < length) ParseExtack(message + tlvStart, message + length, out);
  return true;
}

bool ParseDoneMessage(const uint8_t* message, size_t length, NlStatus* out) {
  if (length < NLMSG_HDRLEN + sizeof(int)) {
    out->error = 0;  // some producers send an empty DONE
    return true;
  }
  nlmsghdr header;
  std::memcpy(&header, message, sizeof(header));
  int error;
  std::memcpy(&error, message + NLMSG_HDRLEN, sizeof(error));
  out->error = error < 0 ? -error : 0;
  if (header.nlmsg_flags & NLM_F_ACK_TLVS) {
    size_t tlvStart = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(int));
    if (tlvStart < length) ParseExtack(message + tlvStart, message + length, out);
  }
  return true;
}

}  // namespace falcon
