/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * result.h - the summary figures of a polltcp-load run and their first line,
 *
 *   result: mode M conns N tx/s X gbit/s G conn/s C p50_us A p99_us B p999_us D errors E
 *
 * (hold adds " conns_held H mem_per_conn_bytes M"). Scripts parse it: the
 * field names and their order are an interface.
 */
#ifndef PTCP_LOAD_RESULT_H
#define PTCP_LOAD_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct load_result {
	const char *mode;
	uint64_t conns;
	double tx_per_s;               /* completed transactions (rr, crr) per second */
	double gbit_per_s;             /* echoed payload, each way */
	double conn_per_s;             /* connections completed (crr) or opened (hold) */
	uint64_t p50_ns, p99_ns, p999_ns;
	uint64_t errors;
	bool hold;                     /* add the two hold fields */
	uint64_t conns_held;
	uint64_t mem_per_conn;         /* bytes */
};

/** Format the first summary line (no newline) into buf. */
void load_result_line(const struct load_result *r, char *buf, size_t len);

#endif /* PTCP_LOAD_RESULT_H */
