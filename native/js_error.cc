#include "js_error.h"

#include <linux/netlink.h>
#include <uv.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace falcon {

// 'EPERM' for 1; libuv knows the names and is part of every Node.
static std::string CodeOf(int error) {
  // libuv says ENOTSUP; the kernel (and our protocol docs) say EOPNOTSUPP.
  if (error == EOPNOTSUPP) return "EOPNOTSUPP";
  const char* name = uv_err_name(-error);
  if (name != nullptr && name[0] == 'E' && std::strncmp(name, "Unknown", 7) != 0) return name;
  return "E" + std::to_string(error);
}

static Napi::Error Build(Napi::Env env, int error, const std::string& message, const char* syscall) {
  Napi::Error err = Napi::Error::New(env, message);
  Napi::Object obj = err.Value();
  obj.Set("errno", Napi::Number::New(env, error));
  obj.Set("code", Napi::String::New(env, CodeOf(error)));
  obj.Set("syscall", Napi::String::New(env, syscall));
  return err;
}

Napi::Error SystemError(Napi::Env env, int error, const char* syscall) {
  return Build(env, error, std::string(syscall) + ": " + std::strerror(error), syscall);
}

Napi::Error KernelError(Napi::Env env, const NlStatus& status) {
  std::string message = status.hasMessage && !status.message.empty()
                            ? status.message
                            : std::string(std::strerror(status.error));
  Napi::Error err = Build(env, status.error, message, "netlink");
  Napi::Object obj = err.Value();
  if (status.hasMessage) obj.Set("kernelMessage", Napi::String::New(env, status.message));
  // Offsets inside our own nlmsghdr would be meaningless to the codec.
  if (status.badAttrOffset >= static_cast<int64_t>(NLMSG_HDRLEN))
    obj.Set("badAttrOffset", Napi::Number::New(env, static_cast<double>(status.badAttrOffset - NLMSG_HDRLEN)));
  if (status.missingType >= 0)
    obj.Set("missingAttrType", Napi::Number::New(env, static_cast<double>(status.missingType)));
  return err;
}

}  // namespace falcon
