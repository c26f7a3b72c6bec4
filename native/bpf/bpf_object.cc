#include "bpf_object.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "../errno_error.h"

namespace falcon {

namespace {

// libbpf explains a failure (a missing BTF, the verifier's log) through its
// print callback, not its return value: keep the last lines to put in the error.
std::string g_log;

int CollectLog(enum libbpf_print_level level, const char* format, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  char line[1024];
  int n = std::vsnprintf(line, sizeof(line), format, args);
  g_log += line;
  if (g_log.size() > 8192) g_log.erase(0, g_log.size() - 8192);
  return n;
}

// A Node-style system error: errno, code, syscall, and libbpf's own words.
Napi::Error LibbpfError(Napi::Env env, int error, const std::string& what) {
  std::string message = what + ": " + std::strerror(error);
  if (!g_log.empty()) message += "\nlibbpf: " + g_log;
  Napi::Error err = ErrnoError(env, error, message, "bpf");
  err.Value().Set("libbpfLog", Napi::String::New(env, g_log));
  return err;
}

size_t RoundUp8(size_t n) { return (n + 7) & ~static_cast<size_t>(7); }

}  // namespace

Napi::Function BpfObject::Init(Napi::Env env) {
  libbpf_set_print(CollectLog);
  return DefineClass(env, "BpfObject",
                     {
                         InstanceMethod("programs", &BpfObject::Programs),
                         InstanceMethod("attach", &BpfObject::Attach),
                         InstanceMethod("dumpMap", &BpfObject::DumpMap),
                         InstanceMethod("updateMap", &BpfObject::UpdateMap),
                         InstanceMethod("close", &BpfObject::Close),
                         InstanceAccessor("closed", &BpfObject::IsClosed, nullptr),
                     });
}

// new BpfObject(path): opens and loads every program and map of the object.
BpfObject::BpfObject(const Napi::CallbackInfo& info) : Napi::ObjectWrap<BpfObject>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    Napi::TypeError::New(env, "BpfObject(path): path must be a string").ThrowAsJavaScriptException();
    return;
  }
  std::string path = info[0].As<Napi::String>();
  g_log.clear();
  bpf_object* obj = bpf_object__open_file(path.c_str(), nullptr);
  int error = libbpf_get_error(obj);
  if (error != 0) {
    LibbpfError(env, -error, "opening " + path).ThrowAsJavaScriptException();
    return;
  }
  error = bpf_object__load(obj);
  if (error != 0) {
    bpf_object__close(obj);
    LibbpfError(env, -error, "loading " + path).ThrowAsJavaScriptException();
    return;
  }
  obj_ = obj;
}

BpfObject::~BpfObject() { Release(); }

void BpfObject::Release() {
  for (bpf_link* link : links_) bpf_link__destroy(link);
  links_.clear();
  if (obj_ != nullptr) bpf_object__close(obj_);
  obj_ = nullptr;
}

// programs(): [{ name, section }]
Napi::Value BpfObject::Programs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env);
  if (obj_ == nullptr) return out;
  bpf_program* prog;
  uint32_t i = 0;
  bpf_object__for_each_program(prog, obj_) {
    Napi::Object p = Napi::Object::New(env);
    p.Set("name", bpf_program__name(prog));
    p.Set("section", bpf_program__section_name(prog));
    out.Set(i++, p);
  }
  return out;
}

// attach(name): attaches one program as its section says; detached on close.
Napi::Value BpfObject::Attach(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (obj_ == nullptr) {
    LibbpfError(env, EBADF, "attach on a closed object").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::string name = info[0].As<Napi::String>();
  bpf_program* prog = bpf_object__find_program_by_name(obj_, name.c_str());
  if (prog == nullptr) {
    LibbpfError(env, ENOENT, "no program " + name).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  g_log.clear();
  bpf_link* link = bpf_program__attach(prog);
  int error = libbpf_get_error(link);
  if (error != 0) {
    LibbpfError(env, -error, "attaching " + name).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  links_.push_back(link);
  return env.Undefined();
}

// dumpMap(name): { perCpu, nrCpus, valueSize, entries: [[key, value]] }; a
// per-CPU value holds nrCpus slots of valueSize rounded up to 8 bytes.
Napi::Value BpfObject::DumpMap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (obj_ == nullptr) {
    LibbpfError(env, EBADF, "dumpMap on a closed object").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::string name = info[0].As<Napi::String>();
  bpf_map* map = bpf_object__find_map_by_name(obj_, name.c_str());
  if (map == nullptr) {
    LibbpfError(env, ENOENT, "no map " + name).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  enum bpf_map_type type = bpf_map__type(map);
  bool per_cpu = type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
                 type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
  int nr_cpus = per_cpu ? libbpf_num_possible_cpus() : 1;
  if (nr_cpus < 0) {
    LibbpfError(env, -nr_cpus, "counting possible CPUs").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  size_t key_size = bpf_map__key_size(map);
  size_t value_size = bpf_map__value_size(map);
  size_t slot = per_cpu ? RoundUp8(value_size) : value_size;
  std::vector<uint8_t> key(key_size), next(key_size), value(slot * nr_cpus);
  Napi::Array entries = Napi::Array::New(env);
  uint32_t n = 0;
  int error = bpf_map__get_next_key(map, nullptr, next.data(), key_size);
  while (error == 0) {
    key = next;
    if (bpf_map__lookup_elem(map, key.data(), key_size, value.data(), value.size(), 0) == 0) {
      Napi::Array e = Napi::Array::New(env, 2);
      e.Set(0u, Napi::Buffer<uint8_t>::Copy(env, key.data(), key.size()));
      e.Set(1u, Napi::Buffer<uint8_t>::Copy(env, value.data(), value.size()));
      entries.Set(n++, e);
    }
    error = bpf_map__get_next_key(map, key.data(), next.data(), key_size);
  }
  if (error != -ENOENT) {
    LibbpfError(env, -error, "iterating map " + name).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("perCpu", Napi::Boolean::New(env, per_cpu));
  out.Set("nrCpus", Napi::Number::New(env, nr_cpus));
  out.Set("valueSize", Napi::Number::New(env, static_cast<double>(slot)));
  out.Set("entries", entries);
  return out;
}

// updateMap(name, key, value): one element (BPF_ANY).
Napi::Value BpfObject::UpdateMap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (obj_ == nullptr) {
    LibbpfError(env, EBADF, "updateMap on a closed object").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::string name = info[0].As<Napi::String>();
  bpf_map* map = bpf_object__find_map_by_name(obj_, name.c_str());
  if (map == nullptr || !info[1].IsBuffer() || !info[2].IsBuffer()) {
    LibbpfError(env, map == nullptr ? ENOENT : EINVAL, "updateMap " + name).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto key = info[1].As<Napi::Buffer<uint8_t>>();
  auto value = info[2].As<Napi::Buffer<uint8_t>>();
  int error = bpf_map__update_elem(map, key.Data(), key.Length(), value.Data(), value.Length(), BPF_ANY);
  if (error != 0) LibbpfError(env, -error, "updating map " + name).ThrowAsJavaScriptException();
  return env.Undefined();
}

Napi::Value BpfObject::Close(const Napi::CallbackInfo& info) {
  Release();
  return info.Env().Undefined();
}

Napi::Value BpfObject::IsClosed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), obj_ == nullptr);
}

}  // namespace falcon
