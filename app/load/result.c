/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * result.c - the "result:" line (result.h).
 */
#include <inttypes.h>
#include <stdio.h>

#include "result.h"

void
load_result_line(const struct load_result *r, char *buf, size_t len)
{
	int n;

	n = snprintf(buf, len, "result: mode %s conns %" PRIu64 " tx/s %.0f gbit/s %.3f conn/s %.0f "
		     "p50_us %.1f p99_us %.1f p999_us %.1f errors %" PRIu64, r->mode, r->conns,
		     r->tx_per_s, r->gbit_per_s, r->conn_per_s, (double)r->p50_ns / 1e3,
		     (double)r->p99_ns / 1e3, (double)r->p999_ns / 1e3, r->errors);
	if (r->hold && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " conns_held %" PRIu64 " mem_per_conn_bytes %"
			 PRIu64, r->conns_held, r->mem_per_conn);
}
