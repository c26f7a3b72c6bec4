#include "nl_socket.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

namespace falcon {

int OpenGenlSocket(int receiveBufferBytes, uint32_t* portId, const char** failedCall) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_GENERIC);
  if (fd < 0) {
    *failedCall = "socket";
    return -errno;
  }
  int size = receiveBufferBytes;
  // FORCE works for CAP_NET_ADMIN callers beyond rmem_max; else take what we get.
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));

  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  socklen_t length = sizeof(local);
  if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof(local)) < 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) < 0) {
    int error = errno;
    close(fd);
    *failedCall = "bind";
    return -error;
  }
  if (portId != nullptr) *portId = local.nl_pid;
  return fd;
}

int OpenPollHandle(uv_loop_t* loop, int fd, void* data, uv_poll_t** poll) {
  auto* handle = new uv_poll_t;
  handle->data = data;
  int status = uv_poll_init(loop, handle, fd);
  if (status < 0) {
    // Never initialised, so libuv holds no reference to it.
    delete handle;
    return status;
  }
  *poll = handle;
  return 0;
}

void ClosePollHandle(uv_poll_t* poll) {
  uv_close(reinterpret_cast<uv_handle_t*>(poll),
           [](uv_handle_t* handle) { delete reinterpret_cast<uv_poll_t*>(handle); });
}

int ReceiveDatagram(int fd, std::vector<uint8_t>& buffer, Datagram* datagram) {
  sockaddr_nl from{};
  iovec iov{buffer.data(), buffer.size()};
  msghdr header{};
  header.msg_name = &from;
  header.msg_namelen = sizeof(from);
  header.msg_iov = &iov;
  header.msg_iovlen = 1;
  ssize_t n;
  do {
    n = recvmsg(fd, &header, MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return errno;
  datagram->length = static_cast<size_t>(n);
  datagram->fromKernel = from.nl_pid == 0;
  datagram->truncated = (header.msg_flags & MSG_TRUNC) != 0;
  return 0;
}

}  // namespace falcon
