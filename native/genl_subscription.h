// A Generic Netlink socket that joins multicast groups and hands what the
// kernel multicasts (notifications) to a JavaScript callback.
//
// Separate from GenlSocket: a request socket matches answers to requests by
// sequence number, while notifications are unsolicited (sequence 0) and keep
// coming while nothing is pending. The socket is read on the event loop when
// libuv polls it readable, so nothing blocks; while open, the poll handle
// keeps the process alive, as a listening server does, until close().
#ifndef FALCON_NATIVE_GENL_SUBSCRIPTION_H
#define FALCON_NATIVE_GENL_SUBSCRIPTION_H

#include <napi.h>
#include <uv.h>

#include <cstdint>
#include <vector>

namespace falcon {

class GenlSubscription : public Napi::ObjectWrap<GenlSubscription> {
 public:
  // Registers the JS class `GenlSubscription`.
  static Napi::Function Init(Napi::Env env);

  // new GenlSubscription(onMessages): opens and binds the socket (no group
  // yet). onMessages(error, messages) runs on the loop with either
  // messages = [{ type, payload }] (payload: genlmsghdr + attributes) in
  // arrival order, or an error: ENOBUFS when the kernel dropped
  // notifications for lack of room (the socket goes on), any other errno
  // when reading failed (the socket is closed).
  explicit GenlSubscription(const Napi::CallbackInfo& info);
  ~GenlSubscription() override;

 private:
  // join(groupId: number): NETLINK_ADD_MEMBERSHIP; throws a system error
  // (EPERM when the group needs a capability the caller lacks).
  Napi::Value Join(const Napi::CallbackInfo& info);
  // close(): stops reading and releases the socket; idempotent.
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value GetClosed(const Napi::CallbackInfo& info);

  static void OnPoll(uv_poll_t* handle, int status, int events);
  static void OnEnvCleanup(void* arg);

  void Drain();
  void Fail(int error, const char* syscall);
  void Release();

  Napi::Env env_;
  int fd_ = -1;
  uv_poll_t* poll_ = nullptr;  // freed by its close callback
  bool cleanupHook_ = false;
  napi_async_context asyncContext_ = nullptr;
  Napi::FunctionReference onMessages_;
  std::vector<uint8_t> rx_;
};

}  // namespace falcon

#endif
