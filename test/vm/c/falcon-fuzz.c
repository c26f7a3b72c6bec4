// SPDX-License-Identifier: GPL-2.0
/*
 * falcon-fuzz: throws malformed and random Generic Netlink messages at the
 * "falcon" family and checks that each one the netlink core accepts gets an
 * answer with a clean errno.
 *
 *   falcon-fuzz [--seed S] [--count N] [--unpriv] [--verbose]
 *
 * The run is a pure function of the seed (xorshift64*), so a failure is
 * reproduced by rerunning with the printed seed and count. Two phases:
 *
 *  1. systematic: every command id 0..12 and 255 with no attributes, then
 *     each known command with its full attribute set minus one attribute at
 *     a time ("every command with every attribute missing");
 *  2. random: N messages built from a mix of strategies — known commands
 *     with valid, out-of-range, wrong-length or unknown attributes, nested
 *     garbage, truncated attribute streams, unknown commands, random flags
 *     and genl versions, incomplete genl headers, huge bitmaps and attribute
 *     floods, batches of several messages in one send, and messages whose
 *     own nlmsg_len is broken (the core drops those without an answer).
 *
 * "Answered" means an NLMSG_ERROR or NLMSG_DONE carrying the message's
 * sequence number. Every message is sent with NLM_F_ACK so that successful
 * requests are answered too. --unpriv additionally requires EPERM for every
 * admin request: never a success, and nothing but EPERM, or EINVAL/
 * EOPNOTSUPP from the core's own header and command checks.
 *
 * Prints "falcon-fuzz: seed=S count=N" first, a JSON summary last; exits 0
 * when every expected answer came and every errno was clean, 3 otherwise,
 * 1 on usage or setup errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/falcon.h>
#include "falcon_nl.h"

#define MAX_BATCH 4

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: small, fast, and identical on every libc */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint32_t below(uint32_t n)
{
	return n ? (uint32_t)(rnd() % n) : 0;
}

static void die(const char *msg)
{
	fprintf(stderr, "falcon-fuzz: %s: %s\n", msg, strerror(errno));
	exit(1);
}

static int sock;
static uint16_t family;
static uint32_t next_seq = 100;
static int netns_fd = -1, other_fd = -1;
static int unpriv, verbose;

/* Counters for the summary. */
static unsigned long sent_msgs, expected, answered, dropped_by_core, missing,
	unclean, perm_violations, extra_msgs;
static unsigned long errno_hist[4096];

static const uint8_t admin_cmd[256] = {
	[FALCON_CMD_SET_CONFIG] = 1, [FALCON_CMD_ATTACH] = 1,
	[FALCON_CMD_DETACH] = 1, [FALCON_CMD_RESET_STATS] = 1,
	[FALCON_CMD_PIN_LOAD] = 1, [FALCON_CMD_UNPIN_LOAD] = 1,
};

/*
 * Errnos the family and the netlink/genetlink cores may legitimately answer
 * with. Anything else (a positive value, ERESTARTSYS leaking out, EFAULT...)
 * is a bug.
 */
static int clean_errno(int e)
{
	switch (e) {
	case 0: case EPERM: case ENOENT: case EBADF: case ENOMEM: case EBUSY:
	case EEXIST: case ENODEV: case EINVAL: case ERANGE: case EMSGSIZE:
	case EOPNOTSUPP: case E2BIG: case ENOBUFS:
		return 1;
	}
	return 0;
}

/* ---- message building (framing: falcon_nl) ---- */

/* A message is an fnl_msg: its builders leave out what does not fit. */
#define msg fnl_msg

static void put(struct msg *m, const void *p, size_t n)
{
	fnl_put(m, p, n);
}

static void attr(struct msg *m, uint16_t type, const void *data, size_t dlen)
{
	fnl_attr(m, type, data, dlen);
}

static void attr_u32(struct msg *m, uint16_t type, uint32_t v)
{
	fnl_attr_u32(m, type, v);
}

static void begin(struct msg *m, uint16_t flags, uint8_t cmd, uint8_t version)
{
	fnl_begin(m, family, flags);
	fnl_put_genl(m, cmd, version);
}

static uint32_t finish(struct msg *m)
{
	/* an attribute left out for size is one more kind of garbage */
	fnl_finish(m, next_seq);
	return next_seq++;
}

static const uint32_t interesting[] = {
	0, 1, 2, 3, 4, 5, 7, 8, 12, 15, 16, 63, 64, 99, 100, 101, 255, 256,
	1000, 1023, 1024, 4095, 4096, 9999, 10000, 10001, 65535, 65536, 65537,
	0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
};

static uint32_t value(void)
{
	switch (below(4)) {
	case 0:
		return (uint32_t)rnd();
	case 1:
		return below(8);
	default:
		return interesting[below(sizeof(interesting) / sizeof(interesting[0]))];
	}
}

static uint32_t fd_value(void)
{
	static const uint32_t pool[] = { 0, 1, 2, 0xffffffff, 0x7fffffff, 1024 };

	switch (below(4)) {
	case 0:
		return netns_fd;
	case 1:
		return other_fd;
	default:
		return pool[below(sizeof(pool) / sizeof(pool[0]))];
	}
}

static void random_bytes(void *p, size_t n)
{
	uint8_t *b = p;

	while (n--)
		*b++ = (uint8_t)rnd();
}

static void put_cpus(struct msg *m, uint16_t type)
{
	uint8_t bits[1100] = { 0 };
	size_t n;

	switch (below(5)) {
	case 0:
		n = 0;				/* empty */
		break;
	case 1:
		n = 1 + below(1100);		/* up to past the 1024-byte limit */
		random_bytes(bits, n);
		break;
	case 2:
		n = 1024;			/* a high CPU at the very end */
		bits[1023] = 0x80;
		break;
	default:
		n = 1 + below(2);		/* plausible small sets */
		bits[0] = (uint8_t)rnd();
		break;
	}
	attr(m, type, bits, n);
}

static void put_ifname(struct msg *m, uint16_t type)
{
	char s[40];
	size_t n;

	switch (below(5)) {
	case 0:
		attr(m, type, "lo", 3);
		return;
	case 1:
		attr(m, type, "lo", 2);			/* no NUL */
		return;
	case 2:
		attr(m, type, "", 1);
		return;
	case 3:
		n = 1 + below(sizeof(s));		/* maybe over IFNAMSIZ */
		memset(s, 'a' + below(26), n);
		s[n - 1] = below(2) ? 0 : 'z';
		attr(m, type, s, n);
		return;
	default:
		attr(m, type, "falcon-nope0", 13);
		return;
	}
}

/* A type-appropriate (though not necessarily in-range) value for @type. */
static void put_typed(struct msg *m, uint16_t type)
{
	uint64_t v64;

	switch (type) {
	case FALCON_A_CPUS:
	case FALCON_A_ONLINE_CPUS:
		put_cpus(m, type);
		return;
	case FALCON_A_IFNAME:
		put_ifname(m, type);
		return;
	case FALCON_A_NETNS_FD:
		attr_u32(m, type, fd_value());
		return;
	case FALCON_A_NETNS_COOKIE:
		v64 = rnd();
		attr(m, type, &v64, 8);
		return;
	default:
		attr_u32(m, type, value());
		return;
	}
}

/* Garbage that looks a bit like attributes, for nests. */
static void put_nested_garbage(struct msg *m, int depth)
{
	struct msg inner;
	int i, n = below(5);
	uint8_t junk[24];

	inner.len = 0;
	inner.truncated = 0;
	for (i = 0; i < n; i++) {
		uint16_t t = below(FALCON_A_MAX + 4);

		if (depth < 3 && !below(3)) {
			put_nested_garbage(&inner, depth + 1);
			continue;
		}
		random_bytes(junk, sizeof(junk));
		attr(&inner, t | (below(2) ? NLA_F_NESTED : 0), junk, below(sizeof(junk)));
	}
	if (!below(4))
		put(&inner, junk, 1 + below(3));	/* trailing bytes */
	attr(m, (below(FALCON_A_MAX + 2)) | NLA_F_NESTED, inner.buf, inner.len);
}

/* An attribute whose header lies about its length. */
static void put_broken_attr(struct msg *m)
{
	struct nlattr a = { .nla_type = below(FALCON_A_MAX + 2) };
	uint8_t junk[16];

	switch (below(3)) {
	case 0:
		a.nla_len = below(NLA_HDRLEN);		/* shorter than its header */
		break;
	case 1:
		a.nla_len = 200 + below(60000);		/* past the message */
		break;
	default:
		a.nla_len = NLA_HDRLEN + 4;		/* truncated payload */
		put(m, &a, sizeof(a));
		put(m, junk, below(4));
		return;
	}
	random_bytes(junk, sizeof(junk));
	put(m, &a, sizeof(a));
	put(m, junk, below(sizeof(junk)));
}

static uint16_t good_flags(uint8_t cmd)
{
	uint16_t f = NLM_F_REQUEST | NLM_F_ACK;

	if (cmd == FALCON_CMD_GET_DEVICE || cmd == FALCON_CMD_GET_STATS)
		f |= NLM_F_DUMP;
	return f;
}

static uint8_t known_cmd(void)
{
	return 1 + below(FALCON_CMD_MAX);
}

/* One random message into @m; returns 1 if its nlmsg header is sane. */
static int random_msg(struct msg *m, int may_break_header)
{
	uint8_t cmd = known_cmd();
	int i, n;
	uint32_t r = below(100);

	if (r < 40) {
		/* known command, plausible attributes of any kind */
		begin(m, good_flags(cmd), cmd, 1);
		n = below(7);
		for (i = 0; i < n; i++) {
			uint32_t k = below(10);
			uint16_t t = 1 + below(FALCON_A_MAX);
			uint8_t junk[12];

			if (k < 6) {
				put_typed(m, t);
			} else if (k < 8) {
				random_bytes(junk, sizeof(junk));
				attr(m, t, junk, below(sizeof(junk)));	/* wrong length */
			} else if (k < 9) {
				attr_u32(m, FALCON_A_MAX + 1 + below(200), value());	/* unknown */
			} else {
				attr_u32(m, t | NLA_F_NET_BYTEORDER, value());
			}
		}
	} else if (r < 50) {
		/* unknown command */
		cmd = below(2) ? 0 : FALCON_CMD_MAX + 1 + below(255 - FALCON_CMD_MAX);
		begin(m, NLM_F_REQUEST | NLM_F_ACK | (below(2) ? NLM_F_DUMP : 0), cmd, 1);
		if (below(2))
			put_typed(m, 1 + below(FALCON_A_MAX));
	} else if (r < 60) {
		/* random flags (ACK kept, so an answer is still due) and version */
		begin(m, ((uint16_t)rnd() & ~NLM_F_ACK_TLVS) | NLM_F_ACK, cmd, (uint8_t)rnd());
		if (below(2))
			put_typed(m, 1 + below(FALCON_A_MAX));
	} else if (r < 72) {
		/* nested garbage */
		begin(m, good_flags(cmd), cmd, 1);
		n = 1 + below(3);
		for (i = 0; i < n; i++)
			put_nested_garbage(m, 0);
	} else if (r < 82) {
		/* truncated / lying attribute headers */
		begin(m, good_flags(cmd), cmd, 1);
		if (below(2))
			put_typed(m, 1 + below(FALCON_A_MAX));
		put_broken_attr(m);
	} else if (r < 87) {
		/* incomplete genl header: nlmsg header plus 0-3 bytes */
		begin(m, good_flags(cmd), cmd, 1);
		m->len = NLMSG_HDRLEN + below(GENL_HDRLEN);
	} else if (r < 95) {
		/* floods: many attributes, or every attribute with extreme values */
		begin(m, good_flags(cmd), cmd, 1);
		n = below(2) ? 200 + below(300) : FALCON_A_MAX;
		for (i = 0; i < n; i++) {
			uint16_t t = n == FALCON_A_MAX ? (uint16_t)(1 + i) : (uint16_t)(1 + below(FALCON_A_MAX));

			if (t == FALCON_A_CPUS || t == FALCON_A_IFNAME)
				put_typed(m, t);
			else
				attr_u32(m, t, below(2) ? 0xffffffff : 0);
		}
	} else {
		/* random bytes after a valid header */
		uint8_t junk[64];

		begin(m, good_flags(cmd), cmd, 1);
		n = below(sizeof(junk));
		random_bytes(junk, n);
		put(m, junk, n);
	}
	finish(m);

	if (may_break_header && !below(20)) {
		struct nlmsghdr *h = (void *)m->buf;

		/* The core drops these silently; they must still do no harm */
		if (below(2))
			h->nlmsg_len = below(NLMSG_HDRLEN);
		else
			h->nlmsg_len = m->len + 4 + below(1000);
		if (below(4) == 0 && m->len > 4)
			m->len = 4 + below(NLMSG_HDRLEN - 4);	/* a stub */
		return 0;
	}
	return 1;
}

/* ---- sending and answers ---- */

static void send_buf(const void *p, size_t n)
{
	int err = fnl_send_bytes(sock, p, n);

	/* a stub shorter than nlmsghdr may be refused outright: harmless */
	if (err && err != -EINVAL && err != -EMSGSIZE && err != -ENOBUFS) {
		errno = -err;
		die("sendto");
	}
}

struct pending {
	uint32_t seq;
	uint8_t cmd;
	int must_eperm;	/* --unpriv: an admin command the core will dispatch */
	int done;
};

static void check_errno(const struct pending *p, int err)
{
	int e = -err;

	answered++;
	if (e < 0 || e >= 4096 || !clean_errno(e)) {
		unclean++;
		fprintf(stderr, "falcon-fuzz: seq %u cmd %u: unclean answer %d\n",
			p->seq, p->cmd, err);
		return;
	}
	errno_hist[e]++;
	/* Garbage may be refused by the core's own checks first (EINVAL,
	 * EOPNOTSUPP): what must never happen is an admin request that
	 * succeeds. Well-formed ones are checked for EPERM by the SDK test. */
	if (p->must_eperm && (e == 0 || (e != EPERM && e != EINVAL && e != EOPNOTSUPP))) {
		perm_violations++;
		fprintf(stderr, "falcon-fuzz: seq %u cmd %u: unprivileged got %d, not a refusal\n",
			p->seq, p->cmd, err);
	}
	if (verbose)
		fprintf(stderr, "seq %u cmd %u -> %d\n", p->seq, p->cmd, err);
}

/* Reads until every pending message has its NLMSG_ERROR or NLMSG_DONE. */
static void await(struct pending *pend, int n)
{
	static char rb[1 << 17];
	int left = 0, i;

	for (i = 0; i < n; i++)
		left += !pend[i].done;
	while (left) {
		ssize_t r = recv(sock, rb, sizeof(rb), 0);
		struct nlmsghdr *h;

		if (r < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				for (i = 0; i < n; i++) {
					if (pend[i].done)
						continue;
					missing++;
					fprintf(stderr, "falcon-fuzz: seq %u cmd %u: no answer\n",
						pend[i].seq, pend[i].cmd);
				}
				return;
			}
			if (errno == ENOBUFS) {	/* overrun: we lose track, say so */
				fprintf(stderr, "falcon-fuzz: receive overrun\n");
				missing += left;
				return;
			}
			die("recv");
		}
		for (h = (void *)rb; NLMSG_OK(h, r); h = NLMSG_NEXT(h, r)) {
			struct pending *p = NULL;

			for (i = 0; i < n; i++)
				if (pend[i].seq == h->nlmsg_seq && !pend[i].done)
					p = &pend[i];
			if (!p) {
				if (h->nlmsg_type != NLMSG_DONE && !(h->nlmsg_flags & NLM_F_MULTI))
					extra_msgs++;
				continue;
			}
			if (h->nlmsg_type == NLMSG_ERROR || h->nlmsg_type == NLMSG_DONE) {
				struct fnl_ack ack;

				fnl_parse_ack(h, &ack);
				check_errno(p, ack.error);
			} else {
				continue;	/* a reply or a dump part */
			}
			p->done = 1;
			left--;
		}
	}
}

/* Sends @n messages as one datagram; @sane[i] says which expect answers. */
static void send_batch(struct msg *msgs, const int *sane, int n)
{
	static char out[FNL_MSG_MAX * MAX_BATCH];
	struct pending pend[MAX_BATCH];
	size_t off = 0;
	int i, np = 0;

	for (i = 0; i < n; i++) {
		const struct nlmsghdr *h = (const void *)msgs[i].buf;

		memcpy(out + off, msgs[i].buf, msgs[i].len);
		off += NLMSG_ALIGN(msgs[i].len);
		sent_msgs++;
		if (sane[i]) {
			pend[np].seq = h->nlmsg_seq;
			pend[np].cmd = msgs[i].len >= NLMSG_HDRLEN + 1 ?
				((const struct genlmsghdr *)NLMSG_DATA(h))->cmd : 0;
			/* genetlink checks the header length and looks the
			 * command up (as do or dump: every admin command is
			 * do-only) before permissions; without NLM_F_REQUEST
			 * the core only acks */
			pend[np].must_eperm = unpriv && admin_cmd[pend[np].cmd] &&
				(h->nlmsg_flags & NLM_F_REQUEST) &&
				(h->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP &&
				h->nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN;
			pend[np].done = 0;
			np++;
		} else {
			dropped_by_core++;
		}
	}
	expected += np;
	send_buf(out, off);
	await(pend, np);
}

static void send_one(struct msg *m)
{
	int sane = 1;

	send_batch(m, &sane, 1);
}

/* ---- setup ---- */

static void open_socket(void)
{
	struct timeval tv = { .tv_sec = 10 };
	int rcvbuf = 1 << 20;

	/* capped acks keep answers small; extack exercises the kernel's messages */
	sock = fnl_open(NETLINK_GENERIC);
	if (sock < 0) {
		errno = -sock;
		die("netlink socket");
	}
	setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

static void resolve_family(void)
{
	int id = fnl_genl_family(sock, FALCON_FAMILY_NAME);

	if (id < 0) {
		errno = -id;
		die("family falcon");
	}
	family = id;
}

/* ---- phase 1: every command, every attribute missing ---- */

struct full_attr {
	uint16_t type;
	uint32_t v;	/* for u32 attributes */
};

static void put_full(struct msg *m, const struct full_attr *a)
{
	uint8_t cpu0 = 1;

	switch (a->type) {
	case FALCON_A_CPUS:
		attr(m, a->type, &cpu0, 1);
		break;
	case FALCON_A_IFNAME:
		attr(m, a->type, "lo", 3);
		break;
	case FALCON_A_NETNS_FD:
		attr_u32(m, a->type, netns_fd);
		break;
	default:
		attr_u32(m, a->type, a->v);
	}
}

static void systematic(void)
{
	/* Valid values, so that the only thing wrong is the missing one */
	static const struct full_attr set_config[] = {
		{ FALCON_A_ENABLED, 1 }, { FALCON_A_CPUS }, { FALCON_A_MODE, 0 },
		{ FALCON_A_POLICY, 1 }, { FALCON_A_THRESHOLD, 80 },
		{ FALCON_A_HYSTERESIS, 20 }, { FALCON_A_INTERVAL_MS, 12 },
		{ FALCON_A_QUEUE_LIMIT, 1000 }, { 0 } };
	static const struct full_attr attach[] = {
		{ FALCON_A_IFNAME }, { FALCON_A_NETNS_FD }, { FALCON_A_CPUS },
		{ FALCON_A_STAGE, 7 }, { 0 } };
	static const struct full_attr detach[] = {
		{ FALCON_A_IFNAME }, { FALCON_A_NETNS_FD }, { 0 } };
	static const struct full_attr pick[] = {
		{ FALCON_A_IFNAME }, { FALCON_A_NETNS_FD }, { FALCON_A_FLOW_HASH, 12345 }, { 0 } };
	static const struct full_attr pin[] = {
		{ FALCON_A_CPU, 0 }, { FALCON_A_LOAD, 50 }, { 0 } };
	static const struct full_attr unpin[] = { { FALCON_A_CPU, 0 }, { 0 } };
	static const struct {
		uint8_t cmd;
		const struct full_attr *attrs;
	} ops[] = {
		{ FALCON_CMD_SET_CONFIG, set_config }, { FALCON_CMD_ATTACH, attach },
		{ FALCON_CMD_PICK, pick }, { FALCON_CMD_DETACH, detach },
		{ FALCON_CMD_PIN_LOAD, pin }, { FALCON_CMD_UNPIN_LOAD, unpin },
		{ FALCON_CMD_ATTACH, attach }, { FALCON_CMD_DETACH, detach },
	};
	struct msg m;
	unsigned int i, skip, k, cmd;

	for (cmd = 0; cmd <= FALCON_CMD_MAX + 2; cmd++) {
		begin(&m, good_flags(cmd), cmd, 1);
		finish(&m);
		send_one(&m);
	}
	begin(&m, NLM_F_REQUEST | NLM_F_ACK, 255, 1);
	finish(&m);
	send_one(&m);

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		/* skip == count of attributes: the full, valid request */
		for (skip = 0; ops[i].attrs[skip].type; skip++)
			;
		for (k = 0; k <= skip; k++) {
			unsigned int j;

			begin(&m, good_flags(ops[i].cmd), ops[i].cmd, 1);
			for (j = 0; ops[i].attrs[j].type; j++)
				if (j != k)
					put_full(&m, &ops[i].attrs[j]);
			finish(&m);
			send_one(&m);
		}
	}
}

int main(int argc, char **argv)
{
	uint64_t seed = 1;
	unsigned long count = 5000, i;
	int a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--seed") && a + 1 < argc)
			seed = strtoull(argv[++a], NULL, 0);
		else if (!strcmp(argv[a], "--count") && a + 1 < argc)
			count = strtoul(argv[++a], NULL, 0);
		else if (!strcmp(argv[a], "--unpriv"))
			unpriv = 1;
		else if (!strcmp(argv[a], "--verbose"))
			verbose = 1;
		else {
			fprintf(stderr, "usage: falcon-fuzz [--seed S] [--count N] [--unpriv] [--verbose]\n");
			return 1;
		}
	}
	printf("falcon-fuzz: seed=%llu count=%lu%s\n", (unsigned long long)seed, count,
	       unpriv ? " unpriv" : "");
	fflush(stdout);
	rng_state = seed ? seed : 0x9E3779B97F4A7C15ULL;	/* xorshift needs non-zero */

	/* A real netns fd and a file that is not one, for netns-fd values */
	netns_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	other_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (netns_fd < 0 || other_fd < 0)
		die("open");
	open_socket();
	resolve_family();

	systematic();
	for (i = 0; i < count; i++) {
		static struct msg batch[MAX_BATCH];
		int sane[MAX_BATCH], n = below(10) == 0 ? 2 + below(MAX_BATCH - 1) : 1, k;

		for (k = 0; k < n; k++) {
			/* only the last of a batch may break its header: the core
			 * stops reading a datagram at the first broken one */
			sane[k] = random_msg(&batch[k], k == n - 1);
		}
		send_batch(batch, sane, n);
	}

	printf("{\"seed\":%llu,\"count\":%lu,\"sent\":%lu,\"expected\":%lu,\"answered\":%lu,"
	       "\"droppedByCore\":%lu,\"missing\":%lu,\"unclean\":%lu,\"permViolations\":%lu,"
	       "\"extra\":%lu,\"errnos\":{",
	       (unsigned long long)seed, count, sent_msgs, expected, answered, dropped_by_core,
	       missing, unclean, perm_violations, extra_msgs);
	for (a = 0, i = 0; i < 4096; i++) {
		if (!errno_hist[i])
			continue;
		printf("%s\"%lu\":%lu", a++ ? "," : "", i, errno_hist[i]);
	}
	printf("}}\n");
	return missing || unclean || perm_violations || answered != expected ? 3 : 0;
}
