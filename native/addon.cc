// Entry point of falcon_genl.node: a Generic Netlink transport for Node.
// Exports { GenlSocket }; see genl_socket.h. Message bodies are built and
// parsed in TypeScript; this addon frames them and talks to the kernel.
#include <napi.h>

#include "genl_socket.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("GenlSocket", falcon::GenlSocket::Init(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(falcon_genl, Init)
