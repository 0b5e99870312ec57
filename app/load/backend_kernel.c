/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * backend_kernel.c - polltcp-load's Linux sockets backend (--backend
 * kernel): the modes of modes.c over non-blocking sockets and epoll, so
 * one client measures both stacks.
 *
 * load_kernel_main: RLIMIT_NOFILE to the hard limit -> workers (modes.c)
 * -> one thread per --threads, each its own epoll set and its share of
 * the connections -> join -> report.
 *
 * A socket: TCP_NODELAY (requests go out at once, like the dpdk backend's
 * connections), and with --ip a bind to ADDR + idx % --ip-count with
 * IP_BIND_ADDRESS_NO_PORT, so the kernel picks the port at connect() for
 * the whole 4-tuple: each source address gives its own ephemeral range
 * towards one server port (crr and hold need many). Edge-triggered epoll:
 * the modes always read until recv() has nothing and write until send()
 * takes nothing, which is exactly what edge triggering needs, and it
 * spares an epoll_ctl per direction change.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "modes.h"

#define KB_CONNECTING 0x1
#define KB_EVENTS     256
#define KB_WAIT_MS    1                /* epoll_wait timeout: load_tick runs at least this often */

struct kworker {
	int epfd;
	pthread_t tid;
};

static const struct load_args *ka;

static inline struct kworker *
KW(struct load_worker *w)
{
	return w->bctx;
}

static void
drop_fd(struct lconn *lc)
{
	close((int)lc->h.fd);
	lc->h.fd = -1;
	lc->bflags = 0;
}

static int
k_open(struct load_worker *w, struct lconn *lc)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct epoll_event ev;
	int one = 1, fd, err;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (ka->s.have_ip) {
		uint32_t n = ka->s.ip_count > 0 ? ka->s.ip_count : 1;

		setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
		sa.sin_addr.s_addr = htonl(ntohl(ka->s.ip) + lc->idx % n);
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
			goto fail;
	}
	sa.sin_addr.s_addr = ka->raddr;
	sa.sin_port = htons(ka->rport);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 && errno != EINPROGRESS)
		goto fail;
	/* Connected (or refused) shows as EPOLLOUT (EPOLLERR); reported by the poll step. */
	ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
	ev.data.u64 = (uint64_t)(lc - w->conns);
	if (epoll_ctl(KW(w)->epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
		goto fail;
	lc->h.fd = fd;
	lc->bflags = KB_CONNECTING;
	return 0;
fail:
	err = errno;
	close(fd);
	return -err;
}

static int32_t
k_send(struct load_worker *w __attribute__((unused)), struct lconn *lc, const void *buf,
       uint32_t len)
{
	ssize_t n;

	do
		n = send((int)lc->h.fd, buf, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n >= 0)
		return (int32_t)n;
	return errno == EAGAIN ? 0 : -errno;
}

static uint32_t
k_space(struct load_worker *w __attribute__((unused)), struct lconn *lc __attribute__((unused)))
{
	return UINT32_MAX;             /* SIOCOUTQ and SO_SNDBUF would cost a syscall each */
}

static int32_t
k_recv(struct load_worker *w __attribute__((unused)), struct lconn *lc, void *buf, uint32_t len)
{
	ssize_t n;

	do
		n = recv((int)lc->h.fd, buf, len, 0);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		return (int32_t)n;
	if (n == 0)
		return LOAD_IO_EOF;
	return errno == EAGAIN ? 0 : -errno;
}

static void
k_close(struct load_worker *w __attribute__((unused)), struct lconn *lc)
{
	if (lc->h.fd >= 0)
		drop_fd(lc);               /* FIN; the kernel finishes the close */
}

static void
k_abort(struct load_worker *w __attribute__((unused)), struct lconn *lc)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	if (lc->h.fd < 0)
		return;
	setsockopt((int)lc->h.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));   /* close = RST */
	drop_fd(lc);
}

static const struct load_backend kernel_backend = {
	.name = "kernel",
	.open = k_open,
	.send = k_send,
	.space = k_space,
	.recv = k_recv,
	.close = k_close,
	.abort = k_abort,
};

static void
dispatch(struct load_worker *w, const struct epoll_event *ev)
{
	struct lconn *lc = &w->conns[ev->data.u64];
	uint32_t e = ev->events;
	socklen_t len = sizeof(int);
	int err = 0;

	if (lc->h.fd < 0)
		return;                /* released earlier in this batch */
	if (lc->bflags & KB_CONNECTING) {
		if (!(e & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		if (getsockopt((int)lc->h.fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
			err = errno;
		if (err != 0) {
			drop_fd(lc);
			load_ev_closed(w, lc, -err);
			return;
		}
		lc->bflags &= (uint8_t)~KB_CONNECTING;
		load_ev_connected(w, lc);
		if ((e & EPOLLIN) && lc->h.fd >= 0)
			load_ev_readable(w, lc);
		return;
	}
	if (e & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP))
		load_ev_readable(w, lc);
	if ((e & EPOLLOUT) && lc->h.fd >= 0)
		load_ev_writable(w, lc);
}

static void *
kworker_run(void *arg)
{
	struct load_worker *w = arg;
	struct epoll_event evs[KB_EVENTS];
	int n, i;

	for (;;) {
		/* --rate: requests fall due between events: poll, as the dpdk backend does. */
		n = epoll_wait(KW(w)->epfd, evs, KB_EVENTS, ka->rate != 0 ? 0 : KB_WAIT_MS);
		for (i = 0; i < n; i++)
			dispatch(w, &evs[i]);
		if (load_tick(w, load_now_ns()))
			break;
	}
	return NULL;
}

static void
on_signal(int sig __attribute__((unused)))
{
	load_g.stop = 1;
}

/* Enough descriptors for every connection, or one clear line why not. */
static int
raise_nofile(uint64_t need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 0;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need)
		return app_error("--conns needs %" PRIu64 " descriptors; RLIMIT_NOFILE allows %"
				 PRIu64 " (raise the hard limit: ulimit -Hn, fs.nr_open)", need,
				 (uint64_t)rl.rlim_cur);
	return 0;
}

int
load_kernel_main(struct load_args *a)
{
	struct kworker *kw;
	struct sigaction sa;
	char rstr[INET_ADDRSTRLEN];
	unsigned int i;
	int ret;

	ka = a;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (raise_nofile((uint64_t)a->conns + 64) != 0)
		return 1;
	if (load_workers_init(a, &kernel_backend, a->threads) != 0)
		return 1;
	kw = calloc(a->threads, sizeof(*kw));
	if (kw == NULL)
		return 1;
	for (i = 0; i < a->threads; i++) {
		kw[i].epfd = epoll_create1(EPOLL_CLOEXEC);
		if (kw[i].epfd < 0) {
			fprintf(stderr, LOAD_NAME ": error: epoll_create1: %s\n", strerror(errno));
			return 1;
		}
		load_g.w[i].bctx = &kw[i];
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	inet_ntop(AF_INET, &a->raddr, rstr, sizeof(rstr));
	printf("ready to connect -> %s:%u: backend kernel, mode %s, %" PRIu32 " connection%s, %"
	       PRIu32 " thread%s\n", rstr, a->rport, load_mode_name(a->mode), a->conns,
	       a->conns == 1 ? "" : "s", a->threads, a->threads == 1 ? "" : "s");
	load_workers_start();
	for (i = 0; i < a->threads; i++) {
		ret = pthread_create(&kw[i].tid, NULL, kworker_run, &load_g.w[i]);
		if (ret != 0) {
			fprintf(stderr, LOAD_NAME ": error: pthread_create: %s\n", strerror(ret));
			return 1;
		}
	}
	for (i = 0; i < a->threads; i++)
		pthread_join(kw[i].tid, NULL);
	ret = load_workers_report();
	for (i = 0; i < a->threads; i++)
		close(kw[i].epfd);
	free(kw);
	load_workers_free();
	return ret;
}
