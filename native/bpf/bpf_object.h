// BpfObject: one CO-RE eBPF object loaded with libbpf, for the stage profiler
// (src/profile/kernel.ts). Opens and loads the object, attaches programs by
// name, reads and writes its maps as raw bytes (TypeScript decodes them), and
// detaches everything on close. Its own addon (falcon_bpf.node), so the
// netlink transport never needs libbpf.
#pragma once

#include <napi.h>

#include <string>
#include <vector>

struct bpf_object;
struct bpf_link;

namespace falcon {

class BpfObject : public Napi::ObjectWrap<BpfObject> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit BpfObject(const Napi::CallbackInfo& info);
  ~BpfObject() override;

 private:
  Napi::Value Programs(const Napi::CallbackInfo& info);
  Napi::Value Attach(const Napi::CallbackInfo& info);
  Napi::Value DumpMap(const Napi::CallbackInfo& info);
  Napi::Value UpdateMap(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value IsClosed(const Napi::CallbackInfo& info);
  void Release();

  bpf_object* obj_ = nullptr;
  std::vector<bpf_link*> links_;
};

}  // namespace falcon
