#include "genl_subscription.h"

#include <errno.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "js_error.h"
#include "nl_socket.h"

namespace falcon {

namespace {

// Datagrams read per wake-up, so a burst cannot starve other handles.
constexpr int kDatagramsPerWake = 64;
// A notification is one small message; the kernel never sends more than this.
constexpr size_t kReceiveBufferBytes = 64 * 1024;
// Receive buffer we ask for: room for bursts (many attachments ending at
// once when a namespace goes). The kernel clamps SO_RCVBUF to rmem_max.
constexpr int kSocketReceiveBuffer = 4 << 20;

}  // namespace

Napi::Function GenlSubscription::Init(Napi::Env env) {
  return DefineClass(env, "GenlSubscription",
                     {
                         InstanceMethod<&GenlSubscription::Join>("join"),
                         InstanceMethod<&GenlSubscription::Close>("close"),
                         InstanceAccessor<&GenlSubscription::GetClosed>("closed"),
                     });
}

GenlSubscription::GenlSubscription(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<GenlSubscription>(info), env_(info.Env()) {
  if (info.Length() < 1 || !info[0].IsFunction()) {
    Napi::TypeError::New(env_, "new GenlSubscription(onMessages: function)").ThrowAsJavaScriptException();
    return;
  }
  const char* syscall = nullptr;
  fd_ = OpenGenlSocket(kSocketReceiveBuffer, nullptr, &syscall);
  if (fd_ < 0) {
    int error = -fd_;
    fd_ = -1;
    SystemError(env_, error, syscall).ThrowAsJavaScriptException();
    return;
  }
  uv_loop_t* loop = nullptr;
  int error = 0;
  if (napi_get_uv_event_loop(env_, &loop) != napi_ok) {
    error = EINVAL;
    syscall = "napi_get_uv_event_loop";
  } else {
    int status = OpenPollHandle(loop, fd_, this, &poll_);
    if (status == 0) status = uv_poll_start(poll_, UV_READABLE, OnPoll);
    if (status < 0) {
      error = -status;
      syscall = "uv_poll_start";
    }
  }
  if (error != 0) {
    Release();
    SystemError(env_, error, syscall).ThrowAsJavaScriptException();
    return;
  }
  onMessages_ = Napi::Persistent(info[0].As<Napi::Function>());
  // A callback scope per wake-up needs an async context; its resource is a
  // plain object so that it does not keep this object alive.
  napi_async_init(env_, Napi::Object::New(env_), Napi::String::New(env_, "FalconGenlSubscription"),
                  &asyncContext_);
  napi_add_env_cleanup_hook(env_, OnEnvCleanup, this);
  cleanupHook_ = true;
  rx_.resize(kReceiveBufferBytes);
  // Pinned while open: the poll handle calls back into this object.
  Ref();
}

GenlSubscription::~GenlSubscription() {
  Release();
  if (asyncContext_ != nullptr) napi_async_destroy(env_, asyncContext_);
}

void GenlSubscription::OnEnvCleanup(void* arg) {
  // The environment is going away: free the OS resources, touch no JavaScript.
  auto* self = static_cast<GenlSubscription*>(arg);
  self->cleanupHook_ = false;
  self->asyncContext_ = nullptr;
  self->Release();
}

void GenlSubscription::Release() {
  if (cleanupHook_) {
    napi_remove_env_cleanup_hook(env_, OnEnvCleanup, this);
    cleanupHook_ = false;
  }
  if (poll_ != nullptr) {
    ClosePollHandle(poll_);
    poll_ = nullptr;
  }
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

Napi::Value GenlSubscription::Join(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(env, "join(groupId: number)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (fd_ < 0) {
    SystemError(env, EBADF, "setsockopt").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  uint32_t group = info[0].As<Napi::Number>().Uint32Value();
  // The genetlink core checks the group's capability flags here, quickly
  // (no request runs), so this is done on the loop.
  if (setsockopt(fd_, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0) {
    SystemError(env, errno, "setsockopt").ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

void GenlSubscription::OnPoll(uv_poll_t* handle, int status, int /*events*/) {
  auto* self = static_cast<GenlSubscription*>(handle->data);
  Napi::HandleScope scope(self->env_);
  Napi::CallbackScope callbackScope(self->env_, self->asyncContext_);
  if (status < 0) {
    self->Fail(-status, "poll");
    return;
  }
  self->Drain();
}

// Reports a failure that ends the subscription: the socket is closed first,
// so the callback sees it closed.
void GenlSubscription::Fail(int error, const char* syscall) {
  Napi::Function callback = onMessages_.Value();
  Napi::Value err = SystemError(env_, error, syscall).Value();
  Release();
  onMessages_.Reset();
  Unref();
  callback.Call({err});
}

void GenlSubscription::Drain() {
  Napi::Array batch = Napi::Array::New(env_);
  uint32_t count = 0;
  // Delivers what was read so far, in order; false once the callback closed us.
  auto flush = [&]() {
    if (count == 0) return fd_ >= 0;
    onMessages_.Call({env_.Null(), batch});
    batch = Napi::Array::New(env_);
    count = 0;
    return fd_ >= 0;
  };
  for (int round = 0; round < kDatagramsPerWake && fd_ >= 0; ++round) {
    Datagram datagram;
    if (int error = ReceiveDatagram(fd_, rx_, &datagram)) {
      if (error == EAGAIN || error == EWOULDBLOCK) break;
      if (!flush()) return;
      if (error == ENOBUFS) {
        // Notifications were dropped for lack of room; later ones still come.
        onMessages_.Call({SystemError(env_, ENOBUFS, "recvmsg").Value()});
        continue;
      }
      Fail(error, "recvmsg");
      return;
    }
    if (!datagram.fromKernel) continue;  // only the kernel multicasts to us
    if (datagram.truncated) {
      // A notification larger than any the family sends: count it as lost.
      if (!flush()) return;
      onMessages_.Call({SystemError(env_, EMSGSIZE, "recvmsg").Value()});
      continue;
    }
    ForEachMessage(rx_.data(), datagram.length, [&](const uint8_t* message, size_t length) {
      nlmsghdr header;
      std::memcpy(&header, message, sizeof(header));
      if (header.nlmsg_type < NLMSG_MIN_TYPE) return;  // control messages carry no notification
      Napi::Object entry = Napi::Object::New(env_);
      entry.Set("type", Napi::Number::New(env_, header.nlmsg_type));
      entry.Set("payload", Napi::Buffer<uint8_t>::Copy(env_, message + NLMSG_HDRLEN, length - NLMSG_HDRLEN));
      batch.Set(count++, entry);
    });
  }
  flush();
}

Napi::Value GenlSubscription::Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (fd_ < 0 && poll_ == nullptr) return env.Undefined();
  // The async context goes with the object (close() may run inside a
  // callback that uses it).
  Release();
  onMessages_.Reset();
  Unref();
  return env.Undefined();
}

Napi::Value GenlSubscription::GetClosed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), fd_ < 0);
}

}  // namespace falcon
