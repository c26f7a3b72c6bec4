{
  "targets": [
    {
      "target_name": "falcon_genl",
      "sources": [
        "native/addon.cc",
        "native/genl_socket.cc",
        "native/genl_subscription.cc",
        "native/nlmsg.cc",
        "native/js_error.cc",
        "native/sender.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra"],
      "ldflags": ["-pthread"]
    }
  ]
}
