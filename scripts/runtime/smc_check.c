// SPDX-License-Identifier: GPL-2.0
/*
 * Guest side of make runtime-test for SMC-R (net/smc over a RoCE device).
 *
 * First it tells SMC which RDMA device serves the net device the
 * connection's TCP handshake runs on, over SMC's generic netlink families,
 * as smc-tools' "smcr ueid add" and "smc_pnet -a" would (Debian has no
 * smc-tools): a user defined EID (SMC-Rv2 proposes nothing without one)
 * and one PNET ID given to the net device and to the RDMA device's port 1.
 * Then an AF_SMC server (a child process) and client on one address echo
 * messages of several sizes: the server checks each message against its
 * pattern and sends it back, the client checks the echo.  While connected,
 * SMC's sock_diag must report the client's connection as SMC-R; a fallback
 * to TCP is a failure (its reason is printed).
 *
 * Usage: smc_check <IPv4 address> <net device> <RDMA device>.  Prints one
 * line per size; exit 0 when SMC-R carried every message intact, 1
 * otherwise (with the reason).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/smc.h>
#include <linux/smc_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AF_SMC
#define AF_SMC 43
#endif
#define SMCPROTO_SMC 0
#define PORT 18640
#define UEID "RDMA-SGE-TEST"
#define PNETID "RDMASGE"

static const size_t sizes[] = {
	1, 100, 4095, 4096, 4097, 8192, 9000, 65536, 100000, 300000, 1 << 20,
};
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))
#define ROUNDS 3

static int die(const char *who, const char *what)
{
	printf("smc_check: FAIL %s: %s: %s\n", who, what, strerror(errno));
	return 1;
}

static unsigned char pattern(size_t i, unsigned int seed)
{
	return (unsigned char)(seed * 131 + i * 7 + (i >> 8) * 13);
}

/* the first offset where buf differs from the pattern of seed, or n */
static size_t first_difference(const unsigned char *buf, size_t n,
			       unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (buf[i] != pattern(i, seed))
			break;
	return i;
}

static int read_all(int fd, void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t got = read(fd, (char *)buf + done, n - done);

		if (got <= 0) {
			if (got == 0)
				errno = ECONNRESET;
			return -1;
		}
		done += got;
	}
	return 0;
}

static int write_all(int fd, const void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t put = write(fd, (const char *)buf + done, n - done);

		if (put <= 0)
			return -1;
		done += put;
	}
	return 0;
}

/* netlink: one request, its answer in reply; returns the ack's error */
static int nl_talk(int fd, struct nlmsghdr *req, char *reply, size_t size)
{
	static unsigned int seq;
	int len;

	req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	req->nlmsg_seq = ++seq;
	if (send(fd, req, req->nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		struct nlmsghdr *h = (struct nlmsghdr *)reply;

		len = recv(fd, reply, size, 0);
		if (len < 0)
			return -errno;
		for (; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
			/* a data message: move it to the front for the caller */
			if ((char *)h != reply)
				memmove(reply, h, h->nlmsg_len);
			reply += NLMSG_ALIGN(h->nlmsg_len);
			size -= NLMSG_ALIGN(h->nlmsg_len);
		}
	}
}

static void put_attr(struct nlmsghdr *n, int type, const void *data, int len)
{
	struct nlattr *a = (struct nlattr *)((char *)n + NLMSG_ALIGN(n->nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	n->nlmsg_len = NLMSG_ALIGN(n->nlmsg_len) + NLA_ALIGN(a->nla_len);
}

/* the payload of the first attribute of type, at least size bytes, among
 * the len bytes of attributes at a; NULL when there is none */
static void *find_attr(struct nlattr *a, int len, int type, int size)
{
	for (; len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	     a->nla_len <= len;
	     len -= NLA_ALIGN(a->nla_len),
	     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len)))
		if (a->nla_type == type && a->nla_len >= NLA_HDRLEN + size)
			return (char *)a + NLA_HDRLEN;
	return NULL;
}

struct genl_request {
	struct nlmsghdr n;
	struct genlmsghdr g;
	char attrs[256];
};

static void genl_start(struct genl_request *r, int family, int cmd)
{
	memset(r, 0, sizeof(*r));
	r->n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	r->n.nlmsg_type = family;
	r->g.cmd = cmd;
	r->g.version = 1;
}

/* the id of the generic netlink family name, or a negative errno */
static int genl_family(int fd, const char *name)
{
	static char reply[8192];
	struct genl_request r;
	struct nlmsghdr *h = (struct nlmsghdr *)reply;
	uint16_t *id;
	int rc;

	genl_start(&r, GENL_ID_CTRL, CTRL_CMD_GETFAMILY);
	put_attr(&r.n, CTRL_ATTR_FAMILY_NAME, name, strlen(name) + 1);
	memset(reply, 0, sizeof(reply));
	rc = nl_talk(fd, &r.n, reply, sizeof(reply));
	if (rc)
		return rc;
	id = find_attr((struct nlattr *)((char *)NLMSG_DATA(h) + GENL_HDRLEN),
		       h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN),
		       CTRL_ATTR_FAMILY_ID, sizeof(*id));
	return id ? *id : -ENOENT;
}

/* the user defined EID and the PNET ID of netdev and ibdev's port 1 */
static int smc_setup(const char *netdev, const char *ibdev)
{
	static char reply[8192];
	char ueid[SMC_MAX_EID_LEN + 1];
	struct genl_request r;
	int fd, smc, pnet, rc;
	unsigned char port = 1;

	fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);
	if (fd < 0)
		return die("setup", "generic netlink socket");
	smc = genl_family(fd, SMC_GENL_FAMILY_NAME);
	pnet = genl_family(fd, SMCR_GENL_FAMILY_NAME);
	if (smc < 0 || pnet < 0) {
		errno = smc < 0 ? -smc : -pnet;
		return die("setup", "SMC's generic netlink families");
	}

	/* SMC_MAX_EID_LEN characters padded with blanks, and a NUL */
	snprintf(ueid, sizeof(ueid), "%-*s", SMC_MAX_EID_LEN, UEID);
	genl_start(&r, smc, SMC_NETLINK_ADD_UEID);
	put_attr(&r.n, SMC_NLA_EID_TABLE_ENTRY, ueid, sizeof(ueid));
	rc = nl_talk(fd, &r.n, reply, sizeof(reply));
	if (rc && rc != -EEXIST) {
		errno = -rc;
		return die("setup", "add the user defined EID " UEID);
	}

	genl_start(&r, pnet, SMC_PNETID_ADD);
	put_attr(&r.n, SMC_PNETID_NAME, PNETID, sizeof(PNETID));
	put_attr(&r.n, SMC_PNETID_ETHNAME, netdev, strlen(netdev) + 1);
	put_attr(&r.n, SMC_PNETID_IBNAME, ibdev, strlen(ibdev) + 1);
	put_attr(&r.n, SMC_PNETID_IBPORT, &port, 1);
	rc = nl_talk(fd, &r.n, reply, sizeof(reply));
	if (rc && rc != -EEXIST) {
		errno = -rc;
		return die("setup", "add the PNET ID " PNETID);
	}
	close(fd);
	printf("smc_check: EID %s, PNET ID %s for %s and %s port 1\n", UEID,
	       PNETID, netdev, ibdev);
	return 0;
}

/*
 * The mode sock_diag reports for the AF_SMC socket whose TCP side has
 * local port sport (network order); the fallback reason in *reason.
 * Returns a SMC_DIAG_MODE_*, or -1 with errno set.  With sport 0 it
 * prints every AF_SMC socket's mode and fallback reasons instead.
 */
static int smc_mode(uint16_t sport, unsigned int *reason)
{
	static char reply[1 << 16];
	struct {
		struct nlmsghdr n;
		struct smc_diag_req r;
	} req = {
		.n = {
			.nlmsg_len = sizeof(req),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		},
		.r = { .diag_family = AF_SMC },
	};
	int fd, len, mode = -1;

	fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_SOCK_DIAG);
	if (fd < 0 || send(fd, &req, sizeof(req), 0) < 0)
		return -1;
	errno = ENOENT;
	while ((len = recv(fd, reply, sizeof(reply), 0)) > 0) {
		struct nlmsghdr *h = (struct nlmsghdr *)reply;

		for (; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			struct smc_diag_msg *m = NLMSG_DATA(h);
			struct smc_diag_fallback fb = { 0 };
			void *fallback;

			if (h->nlmsg_type == NLMSG_DONE)
				goto out;
			if (h->nlmsg_type == NLMSG_ERROR) {
				errno = -((struct nlmsgerr *)m)->error;
				goto out;
			}
			fallback = find_attr((struct nlattr *)((char *)m +
						NLMSG_ALIGN(sizeof(*m))),
					     h->nlmsg_len -
						NLMSG_LENGTH(sizeof(*m)),
					     SMC_DIAG_FALLBACK, sizeof(fb));
			if (fallback)
				memcpy(&fb, fallback, sizeof(fb));
			if (sport == 0)
				printf("smc_check: AF_SMC socket, port %u to "
				       "%u: mode %d, fallback reason 0x%x, "
				       "peer's 0x%x\n", ntohs(m->id.idiag_sport),
				       ntohs(m->id.idiag_dport), m->diag_mode,
				       fb.reason, fb.peer_diagnosis);
			if (m->id.idiag_sport != sport)
				continue;
			mode = m->diag_mode;
			*reason = fb.reason;
		}
	}
out:
	close(fd);
	return mode;
}

/* the server: one connection, each message checked and sent back */
static int serve(int listener)
{
	unsigned char *buf = malloc(sizes[NSIZES - 1]);
	uint32_t head[2];
	int fd = accept(listener, NULL, NULL);

	if (fd < 0)
		return die("server", "accept");
	if (!buf)
		return die("server", "malloc");
	for (;;) {
		size_t n, at;

		if (read_all(fd, head, sizeof(head))) {
			if (errno == ECONNRESET)
				return 0;	/* the client is done */
			return die("server", "read a header");
		}
		n = head[0];
		if (n > sizes[NSIZES - 1]) {
			printf("smc_check: FAIL server: header says %zu bytes\n", n);
			return 1;
		}
		if (read_all(fd, buf, n))
			return die("server", "read a message");
		at = first_difference(buf, n, head[1]);
		if (at != n) {
			printf("smc_check: FAIL server: message of %zu bytes "
			       "differs at byte %zu (0x%02x, not 0x%02x)\n",
			       n, at, buf[at], pattern(at, head[1]));
			return 1;
		}
		if (write_all(fd, buf, n))
			return die("server", "echo a message");
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(PORT) };
	unsigned char *out, *in;
	unsigned int seed = 1, reason = 0;
	int listener, fd, round, status, mode;
	socklen_t len;
	pid_t server;
	size_t k, i, at;

	if (argc != 4 || inet_pton(AF_INET, argv[1], &sin.sin_addr) != 1) {
		printf("usage: smc_check <IPv4 address> <net device> <RDMA device>\n");
		return 2;
	}
	if (smc_setup(argv[2], argv[3]))
		return 1;

	listener = socket(AF_SMC, SOCK_STREAM, SMCPROTO_SMC);
	if (listener < 0)
		return die("server", "AF_SMC socket");
	if (bind(listener, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(listener, 1))
		return die("server", "bind/listen");
	server = fork();
	if (server < 0)
		return die("client", "fork");
	if (server == 0)
		_exit(serve(listener));
	close(listener);

	fd = socket(AF_SMC, SOCK_STREAM, SMCPROTO_SMC);
	if (fd < 0)
		return die("client", "AF_SMC socket");
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)))
		return die("client", "connect");
	out = malloc(sizes[NSIZES - 1]);
	in = malloc(sizes[NSIZES - 1]);
	if (!out || !in)
		return die("client", "malloc");

	for (round = 0; round < ROUNDS; round++) {
		for (k = 0; k < NSIZES; k++, seed++) {
			uint32_t head[2] = { sizes[k], seed };

			for (i = 0; i < sizes[k]; i++)
				out[i] = pattern(i, seed);
			if (write_all(fd, head, sizeof(head)) ||
			    write_all(fd, out, sizes[k]))
				return die("client", "send a message");
			memset(in, 0, sizes[k]);
			if (read_all(fd, in, sizes[k]))
				return die("client", "read the echo");
			at = first_difference(in, sizes[k], seed);
			if (at != sizes[k]) {
				printf("smc_check: FAIL client: echo of %zu "
				       "bytes differs at byte %zu\n", sizes[k], at);
				return 1;
			}
			if (round == 0)
				printf("smc_check: %zu bytes intact both ways\n",
				       sizes[k]);
		}
	}

	len = sizeof(sin);
	if (getsockname(fd, (struct sockaddr *)&sin, &len))
		return die("client", "getsockname");
	mode = smc_mode(sin.sin_port, &reason);
	if (mode < 0)
		return die("client", "SMC sock_diag of the connection");
	if (mode != SMC_DIAG_MODE_SMCR) {
		smc_mode(0, &reason);	/* each socket, the server's too */
		printf("smc_check: FAIL the connection is not SMC-R: diag mode "
		       "%d, fallback reason 0x%x\n", mode, reason);
		return 1;
	}
	shutdown(fd, SHUT_WR);
	close(fd);
	if (waitpid(server, &status, 0) != server || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		printf("smc_check: FAIL the server did not end cleanly\n");
		return 1;
	}
	printf("smc_check: %u message(s) in %d rounds over SMC-R\n", seed - 1,
	       ROUNDS);
	printf("smc_check: PASS\n");
	return 0;
}
