{
  "targets": [
    {
      "target_name": "falcon_genl",
      "sources": [
        "native/addon.cc",
        "native/genl_socket.cc",
        "native/genl_subscription.cc",
        "native/nl_socket.cc",
        "native/nlmsg.cc",
        "native/errno_error.cc",
        "native/js_error.cc",
        "native/sender.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra"],
      "ldflags": ["-pthread"]
    }
  ],
  "variables": {
    "has_libbpf": "<!(node -p \"require('fs').existsSync('/usr/include/bpf/libbpf.h') ? 1 : 0\")"
  },
  "conditions": [
    ["has_libbpf==1", {
      "targets": [
        {
          "target_name": "falcon_bpf",
          "sources": ["native/bpf/addon.cc", "native/bpf/bpf_object.cc", "native/errno_error.cc"],
          "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
          "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
          "cflags_cc": ["-std=c++17", "-Wall", "-Wextra"],
          "libraries": ["-lbpf"]
        }
      ]
    }]
  ]
}
