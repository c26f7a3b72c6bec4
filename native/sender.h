// The sending half of a GenlSocket, on a thread of its own.
//
// A Generic Netlink request is processed by the kernel *inside* sendmsg():
// the family's handler runs in the caller's context, may wait for RTNL, and
// an unknown family name makes the controller call request_module() and wait
// for modprobe. A non-blocking socket does not help with that, so sendto()
// runs here, never on the event loop. Answers are still read on the loop
// (uv_poll); only failed sends come back through a uv_async handle.
#ifndef FALCON_NATIVE_SENDER_H
#define FALCON_NATIVE_SENDER_H

#include <uv.h>

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace falcon {

class Sender {
 public:
  // A send that failed: the request's sequence number and a positive errno.
  using Failure = std::pair<uint32_t, int>;

  // Takes ownership of `fd`: it is closed once both the loop side (Stop) and
  // the thread are done with it, so a send in progress never sees a closed
  // (or reused) descriptor. `onFailure` runs on the loop with `data` set.
  Sender(uv_loop_t* loop, int fd, void* data, uv_async_cb onFailure);
  ~Sender();

  // Queues one framed message; sent in order.
  void Post(uint32_t seq, std::vector<uint8_t> bytes);
  // Sends on the calling (loop) thread when nothing is queued or being sent,
  // so order is kept; else queues like Post. Only for requests the caller
  // knows the kernel answers without sleeping: a thread hop costs two
  // cross-thread wake-ups per round trip. Returns 0 or a positive errno.
  int SendNowOrPost(uint32_t seq, std::vector<uint8_t> bytes);
  // Failed sends reported since the last call.
  std::vector<Failure> TakeFailures();
  // Stops the thread (after the send in progress, if any) and releases the
  // loop's handle. Idempotent.
  void Stop();
  // True when the thread started (false: errno in StartError()).
  bool Started() const { return startError_ == 0; }
  int StartError() const { return startError_; }

  // Shared by the loop side and the thread (defined in sender.cc).
  struct State;

 private:
  std::shared_ptr<State> state_;
  uv_async_t* async_ = nullptr;
  int startError_ = 0;
};

}  // namespace falcon

#endif
