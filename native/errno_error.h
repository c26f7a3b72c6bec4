// A JavaScript Error shaped like Node's system errors: errno, code and
// syscall. Shared by both addons (falcon_genl and falcon_bpf), so it needs
// neither netlink nor libbpf.
#ifndef FALCON_NATIVE_ERRNO_ERROR_H
#define FALCON_NATIVE_ERRNO_ERROR_H

#include <napi.h>

#include <string>

namespace falcon {

// `error` is a positive errno; `message` is the whole message shown.
Napi::Error ErrnoError(Napi::Env env, int error, const std::string& message, const char* syscall);

}  // namespace falcon

#endif
