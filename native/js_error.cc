#include "js_error.h"

#include <linux/netlink.h>

#include <cstring>
#include <string>

#include "errno_error.h"

namespace falcon {

Napi::Error SystemError(Napi::Env env, int error, const char* syscall) {
  return ErrnoError(env, error, std::string(syscall) + ": " + std::strerror(error), syscall);
}

Napi::Error KernelError(Napi::Env env, const NlStatus& status) {
  std::string message = status.hasMessage && !status.message.empty()
                            ? status.message
                            : std::string(std::strerror(status.error));
  Napi::Error err = ErrnoError(env, status.error, message, "netlink");
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
