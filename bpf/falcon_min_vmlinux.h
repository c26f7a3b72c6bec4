/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few kernel types the stage profiler reads, declared by hand for CO-RE.
 *
 * Why not a generated vmlinux.h: the build host's kernel is not the one the
 * programs run on (the testbed boots Debian's 6.1 and 6.12), and Debian's
 * headers packages carry no vmlinux to generate one from. Every struct here
 * is preserve_access_index, so clang records each field access as a CO-RE
 * relocation and libbpf resolves it against the running kernel's BTF
 * (/sys/kernel/btf/vmlinux) at load time: only the fields' names and types
 * have to match, not their offsets or the structs' other members.
 */
#ifndef FALCON_MIN_VMLINUX_H
#define FALCON_MIN_VMLINUX_H

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef signed int __s32;
typedef signed long long __s64;
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
typedef __s64 s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
typedef _Bool bool;
#define true 1
#define false 0

enum bpf_map_type {
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PERCPU_HASH = 5,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_LRU_PERCPU_HASH = 10,
};

enum {
	BPF_ANY = 0,
	BPF_NOEXIST = 1,
};

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct ns_common {
	unsigned int inum;
};

struct net {
	struct ns_common ns;
	u64 net_cookie;
};

typedef struct {
	struct net *net;
} possible_net_t;

struct net_device {
	char name[16];
	int ifindex;
	possible_net_t nd_net;
};

struct sk_buff {
	struct net_device *dev;
	unsigned int len;
	__be16 protocol;
	unsigned char *head;
	unsigned char *data;
};

#pragma clang attribute pop

#endif /* FALCON_MIN_VMLINUX_H */
