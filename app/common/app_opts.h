/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * app_opts.h - option parsing shared by polltcp's applications (after "--").
 * Every error is one line on stderr, "<app_name>: error: ...", and the
 * parser returns -1.
 */
#ifndef PTCP_APP_OPTS_H
#define PTCP_APP_OPTS_H

#include <stdint.h>

#include <rte_byteorder.h>

/** Program name prefixed to error lines; each application sets it first. */
extern const char *app_name;

/** Print "<app_name>: error: <message>" and return -1. */
int app_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** Decimal unsigned in [min, max], the whole string. */
int app_parse_u32(const char *opt, const char *s, uint32_t min, uint32_t max, uint32_t *out);

/** A dotted-quad unicast address (network order). */
int app_parse_addr(const char *opt, const char *s, rte_be32_t *out);

/** --ip ADDR[/LEN] (LEN 24 if omitted); not the network or broadcast address. */
int app_parse_ip_prefix(const char *s, rte_be32_t *ip, uint8_t *prefix_len);

/** A gateway must be on our network and not our own address (s: as given). */
int app_check_gateway(rte_be32_t ip, uint8_t prefix_len, rte_be32_t gw, const char *s);

#endif /* PTCP_APP_OPTS_H */
