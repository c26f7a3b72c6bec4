// What GenlSocket and GenlSubscription do alike with their socket: open and
// bind it, watch it with a libuv poll handle, read the datagrams the kernel
// sends and walk the netlink messages in each.
#ifndef FALCON_NATIVE_NL_SOCKET_H
#define FALCON_NATIVE_NL_SOCKET_H

#include <linux/netlink.h>
#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace falcon {

// Opens a non-blocking NETLINK_GENERIC socket, asks for a receive buffer of
// receiveBufferBytes and binds it to a port the kernel picks (stored in
// *portId unless portId is null).
// Returns the fd, or a negative errno with *failedCall naming the call.
int OpenGenlSocket(int receiveBufferBytes, uint32_t* portId, const char** failedCall);

// Initialises (does not start) a poll handle on fd, its data set to `data`. Returns 0 with *poll
// set, or a negative libuv error (nothing is left allocated then).
int OpenPollHandle(uv_loop_t* loop, int fd, void* data, uv_poll_t** poll);

// Closes a handle from OpenPollHandle; libuv frees it when it is done with it.
// uv_close takes the fd out of epoll, so closing the fd afterwards is safe.
void ClosePollHandle(uv_poll_t* poll);

// One datagram read from a netlink socket.
struct Datagram {
  size_t length = 0;        // bytes now at the start of the buffer
  bool fromKernel = false;  // sender port 0: nobody else may talk to us
  bool truncated = false;   // larger than the buffer (MSG_TRUNC)
};

// Reads one datagram into `buffer` without blocking, retrying EINTR. Returns
// 0, or a positive errno (EAGAIN or EWOULDBLOCK when none is waiting).
int ReceiveDatagram(int fd, std::vector<uint8_t>& buffer, Datagram* datagram);

// Calls visit(message, length) for each whole netlink message in a datagram,
// in order; stops at the first header that does not fit.
template <typename Visit>
void ForEachMessage(const uint8_t* data, size_t length, Visit&& visit) {
  size_t left = length;
  const uint8_t* pos = data;
  while (left >= NLMSG_HDRLEN) {
    nlmsghdr message;
    std::memcpy(&message, pos, sizeof(message));
    if (message.nlmsg_len < NLMSG_HDRLEN || message.nlmsg_len > left) break;
    visit(pos, static_cast<size_t>(message.nlmsg_len));
    size_t step = NLMSG_ALIGN(message.nlmsg_len);
    if (step >= left) break;
    pos += step;
    left -= step;
  }
}

}  // namespace falcon

#endif
