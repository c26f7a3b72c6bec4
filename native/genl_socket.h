// One AF_NETLINK / NETLINK_GENERIC socket, driven from the Node event loop.
//
// Answers are read from the non-blocking socket when a libuv poll handle
// says it is readable; requests are sent by a thread of the socket's own
// (sender.h: the kernel runs the request inside sendmsg), so no call blocks
// the loop and no thread-pool thread is tied up waiting for the kernel. Requests are matched to answers by sequence number; many may be in
// flight (up to a window, so the kernel never drops an ack for lack of
// receive-buffer room), and dumps are sent one at a time because the kernel
// serves a single dump per socket.
#ifndef FALCON_NATIVE_GENL_SOCKET_H
#define FALCON_NATIVE_GENL_SOCKET_H

#include <napi.h>
#include <uv.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "nlmsg.h"
#include "sender.h"

namespace falcon {

class GenlSocket : public Napi::ObjectWrap<GenlSocket> {
 public:
  // Registers the JS class `GenlSocket`.
  static Napi::Function Init(Napi::Env env);

  // new GenlSocket(): opens and binds the socket.
  explicit GenlSocket(const Napi::CallbackInfo& info);
  ~GenlSocket() override;

 private:
  struct Request {
    uint32_t seq = 0;
    bool dump = false;
    bool inlineSend = false;  // the caller says the kernel answers it without sleeping
    std::vector<uint8_t> bytes;  // the framed message until it is sent
    Napi::Promise::Deferred deferred;
    std::vector<std::vector<uint8_t>> parts;  // reply payloads after the nlmsghdr
    bool interrupted = false;                 // some part carried NLM_F_DUMP_INTR
    explicit Request(Napi::Env env) : deferred(Napi::Promise::Deferred::New(env)) {}
  };

  // request(type: number, dump: boolean, payload: Buffer, inline?: boolean):
  //   Promise<{parts, interrupted}>
  Napi::Value SendRequest(const Napi::CallbackInfo& info);
  // close(): rejects what is pending and releases the socket; idempotent.
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value GetPortId(const Napi::CallbackInfo& info);
  Napi::Value GetPending(const Napi::CallbackInfo& info);
  Napi::Value GetClosed(const Napi::CallbackInfo& info);

  static void OnPoll(uv_poll_t* handle, int status, int events);
  static void OnSendFailure(uv_async_t* handle);
  static void OnEnvCleanup(void* arg);

  void Pump();
  void Drain();
  void Dispatch(const uint8_t* message, size_t length);
  void Resolve(uint32_t seq);
  void Reject(uint32_t seq, const Napi::Error& error);
  // Fails every sent request (and, with includeDump, dumps and the unsent queue too).
  void RejectAll(const std::function<Napi::Error()>& makeError, bool includeDump);
  void UpdateWatch();
  void Release();

  Napi::Env env_;
  int fd_ = -1;
  uint32_t portId_ = 0;
  uint32_t nextSeq_ = 1;
  uv_poll_t* poll_ = nullptr;  // freed by its close callback
  std::unique_ptr<Sender> sender_;  // owns fd_ once started
  bool watching_ = false;
  bool selfRef_ = false;  // the JS object is pinned while work is pending
  bool dumpInFlight_ = false;
  bool cleanupHook_ = false;
  napi_async_context asyncContext_ = nullptr;
  std::deque<std::unique_ptr<Request>> queue_;                    // not yet sent
  std::unordered_map<uint32_t, std::unique_ptr<Request>> sent_;  // awaiting an answer
  std::vector<uint8_t> rx_;
};

}  // namespace falcon

#endif
