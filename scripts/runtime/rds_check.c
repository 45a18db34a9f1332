// SPDX-License-Identifier: GPL-2.0
/*
 * Guest side of make runtime-test for RDS (rds_rdma): two RDS sockets on
 * one address, both forced onto the IB transport (SO_RDS_TRANSPORT, so a
 * bind fails where the address has no IB/RoCE device instead of falling
 * back to TCP), exchange messages of several sizes, each filled with its
 * own pattern and compared on arrival.  At the end the kernel must list
 * an RDS IB connection (RDS_INFO_IB_CONNECTIONS).
 *
 * Usage: rds_check <IPv4 address>.  Prints one line per size; exit 0 when
 * every message arrived intact, 1 otherwise (with the reason).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/rds.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef SOL_RDS
#define SOL_RDS 276
#endif

static const size_t sizes[] = {
	1, 100, 4095, 4096, 4097, 8192, 9000, 65536, 100000, 300000,
};
#define ROUNDS 3

static int die(const char *what)
{
	printf("rds_check: FAIL %s: %s\n", what, strerror(errno));
	return 1;
}

static unsigned char pattern(size_t i, unsigned int seed)
{
	return (unsigned char)(seed * 131 + i * 7 + (i >> 8) * 13);
}

static int rds_socket(struct sockaddr_in *sin)
{
	int transport = RDS_TRANS_IB;
	int bytes = 4 << 20;
	int fd = socket(AF_RDS, SOCK_SEQPACKET, 0);

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_RDS, SO_RDS_TRANSPORT, &transport,
		       sizeof(transport)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &bytes, sizeof(bytes)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) ||
	    bind(fd, (struct sockaddr *)sin, sizeof(*sin))) {
		close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(18634) };
	struct sockaddr_in b = { .sin_family = AF_INET, .sin_port = htons(18635) };
	unsigned char *out, *in;
	unsigned int seed = 1;
	socklen_t len;
	int sa, sb, round;
	size_t k, i;

	if (argc != 2 || inet_pton(AF_INET, argv[1], &a.sin_addr) != 1) {
		printf("usage: rds_check <IPv4 address>\n");
		return 2;
	}
	b.sin_addr = a.sin_addr;
	sa = rds_socket(&a);
	if (sa < 0)
		return die("socket/bind on the IB transport (first socket)");
	sb = rds_socket(&b);
	if (sb < 0)
		return die("socket/bind on the IB transport (second socket)");
	out = malloc(sizes[sizeof(sizes) / sizeof(sizes[0]) - 1]);
	in = malloc(sizes[sizeof(sizes) / sizeof(sizes[0]) - 1] + 1);
	if (!out || !in)
		return die("malloc");

	for (round = 0; round < ROUNDS; round++) {
		for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++, seed++) {
			/* a to b, then b to a: both sockets send and receive */
			int from = (seed & 1) ? sa : sb, to = (seed & 1) ? sb : sa;
			struct sockaddr_in *dest = (seed & 1) ? &b : &a;
			struct sockaddr_in *src = (seed & 1) ? &a : &b;
			struct pollfd pfd = { .fd = to, .events = POLLIN };
			struct sockaddr_in peer;
			ssize_t got;

			for (i = 0; i < sizes[k]; i++)
				out[i] = pattern(i, seed);
			if (sendto(from, out, sizes[k], 0, (struct sockaddr *)dest,
				   sizeof(*dest)) != (ssize_t)sizes[k])
				return die("sendto");
			if (poll(&pfd, 1, 60000) != 1) {
				printf("rds_check: FAIL no message of %zu bytes "
				       "within 60 s\n", sizes[k]);
				return 1;
			}
			len = sizeof(peer);
			got = recvfrom(to, in, sizes[k] + 1, 0,
				       (struct sockaddr *)&peer, &len);
			if (got < 0)
				return die("recvfrom");
			if ((size_t)got != sizes[k] ||
			    peer.sin_port != src->sin_port) {
				printf("rds_check: FAIL sent %zu bytes from port "
				       "%u, received %zd from port %u\n",
				       sizes[k], ntohs(src->sin_port), got,
				       ntohs(peer.sin_port));
				return 1;
			}
			for (i = 0; i < sizes[k]; i++) {
				if (in[i] != pattern(i, seed)) {
					printf("rds_check: FAIL message of %zu "
					       "bytes differs at byte %zu\n",
					       sizes[k], i);
					return 1;
				}
			}
			if (round == 0)
				printf("rds_check: %zu bytes intact\n", sizes[k]);
		}
	}

	{
		static char info[1 << 16];
		int each, items;

		/* returns the size of one entry and sets len to all of them */
		len = sizeof(info);
		each = getsockopt(sa, SOL_RDS, RDS_INFO_IB_CONNECTIONS, info,
				  &len);
		if (each < 0)
			return die("getsockopt RDS_INFO_IB_CONNECTIONS");
		items = each ? (int)(len / each) : 0;
		if (items == 0) {
			printf("rds_check: FAIL no RDS IB connection listed\n");
			return 1;
		}
		printf("rds_check: %d message(s) in %d rounds over %d RDS IB "
		       "connection(s)\n", (int)(seed - 1), ROUNDS, items);
	}
	printf("rds_check: PASS\n");
	return 0;
}
