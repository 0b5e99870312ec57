/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * app_opts.c - option parsers shared by polltcp-echo and polltcp-load.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_opts.h"

const char *app_name = "polltcp";

int
app_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: error: ", app_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return -1;
}

int
app_parse_u32(const char *opt, const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	if (s[0] < '0' || s[0] > '9')
		goto bad;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s)
		goto bad;
	if (v < min || v > max)
		return app_error("--%s %s: out of range (%" PRIu32 "..%" PRIu32 ")", opt, s, min, max);
	*out = (uint32_t)v;
	return 0;
bad:
	return app_error("--%s '%s': not a number (expected %" PRIu32 "..%" PRIu32 ")", opt, s, min,
		     max);
}

int
app_parse_addr(const char *opt, const char *s, rte_be32_t *out)
{
	struct in_addr a;
	uint32_t h;

	if (inet_pton(AF_INET, s, &a) != 1)
		return app_error("--%s '%s': not an IPv4 address", opt, s);
	h = ntohl(a.s_addr);
	if (h == 0 || h == UINT32_MAX || (h >> 28) == 0xe || (h >> 24) == 127)
		return app_error("--%s %s: not a usable unicast address", opt, s);
	*out = a.s_addr;
	return 0;
}

int
app_parse_ip_prefix(const char *s, rte_be32_t *ip, uint8_t *prefix_len)
{
	char buf[64];
	char *slash;
	uint32_t len = 24, mask, h;

	if (strlen(s) >= sizeof(buf))
		return app_error("--ip '%s': not ADDR/LEN", s);
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash != NULL) {
		*slash = '\0';
		if (app_parse_u32("ip prefix length", slash + 1, 1, 32, &len) != 0)
			return -1;
	}
	if (app_parse_addr("ip", buf, ip) != 0)
		return -1;
	*prefix_len = (uint8_t)len;
	h = ntohl(*ip);
	mask = len == 32 ? UINT32_MAX : ~(UINT32_MAX >> len);
	if (len <= 30 && ((h & ~mask) == 0 || (h & ~mask) == ~mask))
		return app_error("--ip %s: the network or broadcast address of its prefix", s);
	return 0;
}

int
app_check_gateway(rte_be32_t ip, uint8_t prefix_len, rte_be32_t gw, const char *s)
{
	uint32_t mask = prefix_len == 32 ? UINT32_MAX : ~(UINT32_MAX >> prefix_len);
	char net[INET_ADDRSTRLEN];
	struct in_addr n = { .s_addr = htonl(ntohl(ip) & mask) };

	if (gw == ip)
		return app_error("--gateway %s: that is our own address", s);
	if ((ntohl(gw) & mask) != (ntohl(ip) & mask)) {
		inet_ntop(AF_INET, &n, net, sizeof(net));
		return app_error("--gateway %s: not on our network %s/%u", s, net, prefix_len);
	}
	return 0;
}
