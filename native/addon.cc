// Entry point of falcon_genl.node: a Generic Netlink transport for Node.
// Exports { GenlSocket, GenlSubscription }; see genl_socket.h and
// genl_subscription.h. Message bodies are built and
// parsed in TypeScript; this addon frames them and talks to the kernel.
#include <napi.h>

#include "genl_socket.h"
#include "genl_subscription.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("GenlSocket", falcon::GenlSocket::Init(env));
  exports.Set("GenlSubscription", falcon::GenlSubscription::Init(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(falcon_genl, Init)
