// SPDX-License-Identifier: GPL-2.0
/* Falcon: instantiates the tracepoints of falcon_trace.h. */
#include <linux/build_bug.h>
#include <net/pkt_sched.h>
#include "internal.h"

#define CREATE_TRACE_POINTS
#include "falcon_trace.h"

/* The enqueue stamp must not overlap what tc ingress left in skb->cb */
static_assert(sizeof(struct tc_skb_cb) <= FALCON_CB_OFF);
