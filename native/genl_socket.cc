#include "genl_socket.h"

#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <functional>

#include "js_error.h"
#include "nl_socket.h"

namespace falcon {

namespace {

// Requests on the wire at once. The kernel drops an ack (and flags ENOBUFS)
// when our receive buffer is full; a bounded window keeps acks well inside it.
constexpr size_t kWindow = 32;
// Datagrams read per wake-up, so a long dump cannot starve other handles.
constexpr int kDatagramsPerWake = 64;
// Kernel dump messages are at most 32 KiB; replies to do requests are small.
constexpr size_t kReceiveBufferBytes = 64 * 1024;
// Receive buffer we ask for; the kernel clamps SO_RCVBUF to rmem_max.
constexpr int kSocketReceiveBuffer = 1 << 20;

void SetFlag(int fd, int option) {
  int one = 1;
  // Older kernels lack some options; the socket still works without them.
  setsockopt(fd, SOL_NETLINK, option, &one, sizeof(one));
}

Napi::Error ClosedError(Napi::Env env, const char* why) {
  Napi::Error err = SystemError(env, ECANCELED, "close");
  err.Value().Set("message", Napi::String::New(env, why));
  return err;
}

}  // namespace

Napi::Function GenlSocket::Init(Napi::Env env) {
  return DefineClass(env, "GenlSocket",
                     {
                         InstanceMethod<&GenlSocket::SendRequest>("request"),
                         InstanceMethod<&GenlSocket::Close>("close"),
                         InstanceAccessor<&GenlSocket::GetPortId>("portId"),
                         InstanceAccessor<&GenlSocket::GetPending>("pending"),
                         InstanceAccessor<&GenlSocket::GetClosed>("closed"),
                     });
}

GenlSocket::GenlSocket(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<GenlSocket>(info), env_(info.Env()) {
  const char* failedCall = nullptr;
  fd_ = OpenGenlSocket(kSocketReceiveBuffer, &portId_, &failedCall);
  if (fd_ < 0) {
    int error = -fd_;
    fd_ = -1;
    SystemError(env_, error, failedCall).ThrowAsJavaScriptException();
    return;
  }
  SetFlag(fd_, NETLINK_EXT_ACK);   // kernel message + offending attribute offset
  SetFlag(fd_, NETLINK_CAP_ACK);   // acks echo only our header, not the request
  SetFlag(fd_, NETLINK_GET_STRICT_CHK);

  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env_, &loop) != napi_ok) {
    close(fd_);
    fd_ = -1;
    Napi::Error::New(env_, "no libuv loop").ThrowAsJavaScriptException();
    return;
  }
  int status = OpenPollHandle(loop, fd_, this, &poll_);
  if (status < 0) {
    close(fd_);
    fd_ = -1;
    SystemError(env_, -status, "uv_poll_init").ThrowAsJavaScriptException();
    return;
  }
  sender_ = std::make_unique<Sender>(loop, fd_, this, OnSendFailure);
  if (!sender_->Started()) {
    int error = sender_->StartError();
    Release();  // closes the poll handle; the sender's state closes the fd
    SystemError(env_, error, "pthread_create").ThrowAsJavaScriptException();
    return;
  }
  // A callback scope per wake-up needs an async context; its resource is a
  // plain object so that it does not keep this socket alive.
  napi_async_init(env_, Napi::Object::New(env_), Napi::String::New(env_, "FalconGenlSocket"),
                  &asyncContext_);
  napi_add_env_cleanup_hook(env_, OnEnvCleanup, this);
  cleanupHook_ = true;
  rx_.resize(kReceiveBufferBytes);
}

GenlSocket::~GenlSocket() {
  // Only reached when nothing is pending (the object is pinned otherwise).
  Release();
  if (asyncContext_ != nullptr) napi_async_destroy(env_, asyncContext_);
}

void GenlSocket::OnEnvCleanup(void* arg) {
  // The environment is going away (process or worker exit): free the OS
  // resources, touch no JavaScript.
  auto* self = static_cast<GenlSocket*>(arg);
  self->cleanupHook_ = false;
  self->asyncContext_ = nullptr;
  self->Release();
  self->queue_.clear();
  self->sent_.clear();
}

void GenlSocket::Release() {
  if (cleanupHook_) {
    napi_remove_env_cleanup_hook(env_, OnEnvCleanup, this);
    cleanupHook_ = false;
  }
  if (poll_ != nullptr) {
    ClosePollHandle(poll_);
    poll_ = nullptr;
    watching_ = false;
  }
  if (sender_) {
    sender_->Stop();  // the fd closes when the thread lets go of it
    sender_.reset();
  } else if (fd_ >= 0) {
    close(fd_);
  }
  fd_ = -1;
}

Napi::Value GenlSocket::SendRequest(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsNumber() || !info[1].IsBoolean() || !info[2].IsBuffer()) {
    Napi::TypeError::New(env, "request(type: number, dump: boolean, payload: Buffer)")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  uint32_t type = info[0].As<Napi::Number>().Uint32Value();
  if (type < NLMSG_MIN_TYPE || type > 0xffff) {
    Napi::RangeError::New(env, "message type must be a family id (16-65535)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  bool dump = info[1].As<Napi::Boolean>().Value();
  bool inlineSend = info.Length() > 3 && info[3].IsBoolean() && info[3].As<Napi::Boolean>().Value();
  Napi::Buffer<uint8_t> payload = info[2].As<Napi::Buffer<uint8_t>>();

  auto request = std::make_unique<Request>(env);
  Napi::Promise promise = request->deferred.Promise();
  if (fd_ < 0) {
    request->deferred.Reject(ClosedError(env, "Generic Netlink socket is closed").Value());
    return promise;
  }
  request->seq = nextSeq_++;
  if (nextSeq_ == 0) nextSeq_ = 1;  // 0 is what unsolicited messages carry
  request->dump = dump;
  request->inlineSend = inlineSend;
  uint16_t flags = NLM_F_REQUEST | NLM_F_ACK | (dump ? NLM_F_DUMP : 0);
  request->bytes = BuildRequest(static_cast<uint16_t>(type), flags, request->seq, payload.Data(),
                                payload.Length());
  queue_.push_back(std::move(request));
  Pump();
  UpdateWatch();
  return promise;
}

void GenlSocket::Pump() {
  while (fd_ >= 0 && !queue_.empty() && sent_.size() < kWindow) {
    // Strict FIFO: a dump waiting for the previous dump holds back what follows it.
    if (queue_.front()->dump && dumpInFlight_) break;
    std::unique_ptr<Request> request = std::move(queue_.front());
    queue_.pop_front();
    if (request->dump) dumpInFlight_ = true;
    uint32_t seq = request->seq;
    bool inlineSend = request->inlineSend;
    std::vector<uint8_t> bytes = std::move(request->bytes);
    sent_.emplace(seq, std::move(request));
    if (!inlineSend) {
      sender_->Post(seq, std::move(bytes));
    } else if (int error = sender_->SendNowOrPost(seq, std::move(bytes))) {
      Reject(seq, SystemError(env_, error, "sendto"));
    }
  }
}

void GenlSocket::OnSendFailure(uv_async_t* handle) {
  auto* self = static_cast<GenlSocket*>(handle->data);
  if (!self->sender_) return;
  Napi::Env env = self->env_;
  Napi::HandleScope scope(env);
  Napi::CallbackScope callbackScope(env, self->asyncContext_);
  for (const Sender::Failure& failure : self->sender_->TakeFailures()) {
    if (self->sent_.count(failure.first)) self->Reject(failure.first, SystemError(env, failure.second, "sendto"));
  }
  self->Pump();
  self->UpdateWatch();
}

void GenlSocket::UpdateWatch() {
  bool busy = !queue_.empty() || !sent_.empty();
  if (poll_ != nullptr) {
    // Watch only while something is pending, so an idle socket does not keep
    // the process alive.
    if (busy && !watching_) {
      if (uv_poll_start(poll_, UV_READABLE, OnPoll) == 0) watching_ = true;
    } else if (!busy && watching_) {
      uv_poll_stop(poll_);
      watching_ = false;
    }
  }
  // Pending promises need this object: pin it against garbage collection.
  if (busy && !selfRef_) {
    Ref();
    selfRef_ = true;
  } else if (!busy && selfRef_) {
    Unref();
    selfRef_ = false;
  }
}

void GenlSocket::OnPoll(uv_poll_t* handle, int status, int /*events*/) {
  auto* self = static_cast<GenlSocket*>(handle->data);
  Napi::Env env = self->env_;
  Napi::HandleScope scope(env);
  // Settled promises run their handlers when this scope closes, as after any
  // other I/O callback.
  Napi::CallbackScope callbackScope(env, self->asyncContext_);
  if (status < 0) {
    self->RejectAll([&] { return SystemError(env, -status, "poll"); }, true);
  } else {
    self->Drain();
  }
  self->Pump();
  self->UpdateWatch();
}

void GenlSocket::Drain() {
  for (int round = 0; round < kDatagramsPerWake && fd_ >= 0; ++round) {
    Datagram datagram;
    if (int error = ReceiveDatagram(fd_, rx_, &datagram)) {
      if (error == EAGAIN || error == EWOULDBLOCK) return;
      if (error == ENOBUFS) {
        // The kernel dropped messages for lack of room. Dump parts are never
        // dropped (dumps wait for room), but any ack may be gone.
        RejectAll([&] { return SystemError(env_, ENOBUFS, "recvmsg"); }, false);
        continue;
      }
      RejectAll([&] { return SystemError(env_, error, "recvmsg"); }, true);
      return;
    }
    if (!datagram.fromKernel) continue;  // only the kernel talks to us
    if (datagram.truncated) {
      // Cannot happen with kernel-sized messages; fail the request it belongs to.
      if (datagram.length >= NLMSG_HDRLEN) {
        nlmsghdr first;
        std::memcpy(&first, rx_.data(), sizeof(first));
        if (sent_.count(first.nlmsg_seq)) Reject(first.nlmsg_seq, SystemError(env_, EMSGSIZE, "recvmsg"));
      }
      continue;
    }
    ForEachMessage(rx_.data(), datagram.length,
                   [this](const uint8_t* message, size_t length) { Dispatch(message, length); });
  }
}

void GenlSocket::Dispatch(const uint8_t* message, size_t length) {
  nlmsghdr header;
  std::memcpy(&header, message, sizeof(header));
  auto found = sent_.find(header.nlmsg_seq);
  if (found == sent_.end()) return;  // late answer to a request already failed
  Request& request = *found->second;
  NlStatus status;
  switch (header.nlmsg_type) {
    case NLMSG_NOOP:
    case NLMSG_OVERRUN:
      return;
    case NLMSG_ERROR:
      if (!ParseErrorMessage(message, length, &status)) {
        Reject(header.nlmsg_seq, SystemError(env_, EPROTO, "recvmsg"));
      } else if (status.error != 0) {
        Reject(header.nlmsg_seq, KernelError(env_, status));
      } else {
        Resolve(header.nlmsg_seq);  // the ack that ends every request
      }
      return;
    case NLMSG_DONE:
      ParseDoneMessage(message, length, &status);
      if (status.error != 0) {
        Reject(header.nlmsg_seq, KernelError(env_, status));
      } else {
        Resolve(header.nlmsg_seq);
      }
      return;
    default:
      if (header.nlmsg_flags & NLM_F_DUMP_INTR) request.interrupted = true;
      request.parts.emplace_back(message + NLMSG_HDRLEN, message + length);
      return;
  }
}

void GenlSocket::Resolve(uint32_t seq) {
  auto found = sent_.find(seq);
  std::unique_ptr<Request> request = std::move(found->second);
  sent_.erase(found);
  if (request->dump) dumpInFlight_ = false;
  Napi::Array parts = Napi::Array::New(env_, request->parts.size());
  for (size_t i = 0; i < request->parts.size(); ++i) {
    const std::vector<uint8_t>& part = request->parts[i];
    parts.Set(static_cast<uint32_t>(i), Napi::Buffer<uint8_t>::Copy(env_, part.data(), part.size()));
  }
  Napi::Object result = Napi::Object::New(env_);
  result.Set("parts", parts);
  result.Set("interrupted", Napi::Boolean::New(env_, request->interrupted));
  request->deferred.Resolve(result);
}

void GenlSocket::Reject(uint32_t seq, const Napi::Error& error) {
  auto found = sent_.find(seq);
  std::unique_ptr<Request> request = std::move(found->second);
  sent_.erase(found);
  if (request->dump) dumpInFlight_ = false;
  request->deferred.Reject(error.Value());
}

void GenlSocket::RejectAll(const std::function<Napi::Error()>& makeError, bool includeDump) {
  for (auto it = sent_.begin(); it != sent_.end();) {
    if (!includeDump && it->second->dump) {
      ++it;
      continue;
    }
    if (it->second->dump) dumpInFlight_ = false;
    it->second->deferred.Reject(makeError().Value());
    it = sent_.erase(it);
  }
  if (!includeDump) return;
  while (!queue_.empty()) {
    queue_.front()->deferred.Reject(makeError().Value());
    queue_.pop_front();
  }
}

Napi::Value GenlSocket::Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (fd_ < 0 && poll_ == nullptr) return env.Undefined();
  Release();
  RejectAll([&] { return ClosedError(env, "Generic Netlink socket closed with the request pending"); }, true);
  dumpInFlight_ = false;
  UpdateWatch();
  if (asyncContext_ != nullptr) {
    napi_async_destroy(env_, asyncContext_);
    asyncContext_ = nullptr;
  }
  return env.Undefined();
}

Napi::Value GenlSocket::GetPortId(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), portId_);
}

Napi::Value GenlSocket::GetPending(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(queue_.size() + sent_.size()));
}

Napi::Value GenlSocket::GetClosed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), fd_ < 0);
}

}  // namespace falcon
