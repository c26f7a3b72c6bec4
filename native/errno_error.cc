#include "errno_error.h"

#include <uv.h>

#include <cerrno>
#include <cstring>

namespace falcon {

namespace {

// 'EPERM' for 1; libuv knows the names and is part of every Node.
std::string CodeOf(int error) {
  // libuv says ENOTSUP; the kernel (and our protocol docs) say EOPNOTSUPP.
  if (error == EOPNOTSUPP) return "EOPNOTSUPP";
  const char* name = uv_err_name(-error);
  if (name != nullptr && name[0] == 'E' && std::strncmp(name, "Unknown", 7) != 0) return name;
  return "E" + std::to_string(error);
}

}  // namespace

Napi::Error ErrnoError(Napi::Env env, int error, const std::string& message, const char* syscall) {
  Napi::Error err = Napi::Error::New(env, message);
  Napi::Object obj = err.Value();
  obj.Set("errno", Napi::Number::New(env, error));
  obj.Set("code", Napi::String::New(env, CodeOf(error)));
  obj.Set("syscall", Napi::String::New(env, syscall));
  return err;
}

}  // namespace falcon
