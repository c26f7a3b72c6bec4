// Entry point of falcon_bpf.node: libbpf for the stage profiler. A separate
// addon from falcon_genl.node so that the netlink transport never needs
// libbpf; it is built only where libbpf-dev is installed (binding.gyp).
#include <napi.h>

#include "bpf_object.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("BpfObject", falcon::BpfObject::Init(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(falcon_bpf, Init)
