/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * echo.h - polltcp-echo: options (args.c) and the server (main.c).
 */
#ifndef PTCP_ECHO_H
#define PTCP_ECHO_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>

#include "app_opts.h"

#define ECHO_NAME "polltcp-echo"

/* The application's options (after "--"); zero means "stack default". */
struct echo_args {
	struct app_stack_opts s;       /* --ip, --gateway, --mtu, ... (app_opts.h) */
	uint16_t port;                 /* --port N (7) */
	uint32_t max_conns;            /* --max-conns N */
	bool copy;                     /* --copy: no zero-copy echo */
	bool conn_info;                /* --conn-info: print connections when stopping */
};

/**
 * Parse the application's argv (argv[0] is the program name) into a struct
 * echo_args. Returns 0, 1 after printing the usage for -h/--help, or -1
 * after printing one error line to stderr.
 */
int echo_args_parse(int argc, char **argv, void *args);

#endif /* PTCP_ECHO_H */
