// Turns an errno (and the kernel's extended ack) into a JavaScript Error
// shaped like Node's system errors: errno, code, syscall, plus the extack
// message and the offending attribute's offset.
#ifndef FALCON_NATIVE_JS_ERROR_H
#define FALCON_NATIVE_JS_ERROR_H

#include <napi.h>

#include "nlmsg.h"

namespace falcon {

// A local failure (socket(), sendto(), recvmsg()...): `error` is a positive errno.
Napi::Error SystemError(Napi::Env env, int error, const char* syscall);

// A request the kernel refused. badAttrOffset is reported relative to the
// Generic Netlink payload (the kernel counts from the nlmsghdr).
Napi::Error KernelError(Napi::Env env, const NlStatus& status);

}  // namespace falcon

#endif
