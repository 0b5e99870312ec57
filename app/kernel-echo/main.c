/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * main.c - kernel-echo: an RFC 862 echo server on Linux sockets, the kernel
 * baseline polltcp-echo is measured against (same client, polltcp-load
 * --backend kernel or the dpdk backend through a real NIC).
 *
 *   kernel-echo --listen ADDR:PORT [--threads N] [--cpus LIST] [--quiet]
 *
 * main(): parse -> RLIMIT_NOFILE to the hard limit -> one SO_REUSEPORT
 * listener per thread (all bound before "listening on", so a client may
 * connect as soon as it reads that line) -> block SIGINT/SIGTERM -> start
 * the threads -> sigwait -> wake every thread through one eventfd -> join
 * -> "kernel-echo: conns accepted N bytes echoed B" -> exit 0.
 *
 * One thread (worker_run): its own listener and epoll set, share-nothing
 * (the kernel spreads new connections over the listeners by the 4-tuple
 * hash, SO_REUSEPORT). Level-triggered epoll, on purpose: a connection is
 * served at most one read buffer per epoll_wait round, so one fast sender
 * cannot starve the others, and whatever it left unread is reported again
 * next round without the server keeping a "ready" list (edge-triggered
 * would need to read until EAGAIN, or such a list).
 *
 * One connection (struct kconn, 24 bytes + the pending bytes):
 *   readable -> read into the thread's buffer -> write it back
 *     -> all written: stay interested in EPOLLIN
 *     -> short write: keep the rest in a pending buffer of exactly that
 *        size; interest becomes EPOLLOUT only (stop reading: the peer's
 *        data waits in the kernel, TCP flow control pushes back, so no
 *        byte is lost and memory stays bounded)
 *   writable -> write pending -> all gone: free it, back to EPOLLIN
 *   read 0 (EOF; only read with nothing pending, so every byte was echoed)
 *     or an error -> close.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define KE_NAME        "kernel-echo"
#define KE_BUF         (64 * 1024)     /* read buffer, one per thread */
#define KE_EVENTS      256             /* epoll_wait batch */
#define KE_ACCEPT_MAX  64              /* accepts per listener event (fairness) */
#define KE_MAX_THREADS 1024
#define KE_MAX_CPUS    CPU_SETSIZE

/* One connection; the epoll event's data.ptr. */
struct kconn {
	int fd;
	uint32_t pend_len;             /* bytes at pend + pend_off still to write */
	uint32_t pend_off;
	uint8_t *pend;                 /* NULL unless a write was short */
};

struct worker {
	pthread_t tid;
	unsigned int idx;
	int cpu;                       /* -1: not pinned */
	int lfd;                       /* this thread's SO_REUSEPORT listener */
	int epfd;
	uint64_t accepted;
	uint64_t bytes;                /* echoed: written back to a peer */
	uint64_t closed;
	uint64_t errors;
	uint8_t *buf;                  /* KE_BUF */
	int spare_fd;                  /* given up on EMFILE to accept-and-close */
};

static struct {
	struct sockaddr_in addr;
	unsigned int threads;
	int cpus[KE_MAX_CPUS];
	unsigned int ncpus;
	bool quiet;
} opt;

static int stop_fd = -1;              /* eventfd, written once at SIGINT/SIGTERM */

/* The listener's and the stop eventfd's data.ptr values (never a kconn). */
static char listener_tag, stop_tag;

static void
warnx_(const struct worker *w, const char *what, int err)
{
	if (!opt.quiet)
		fprintf(stderr, KE_NAME ": thread %u: %s: %s\n", w->idx, what, strerror(err));
}

static int
usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, KE_NAME ": error: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	return -1;
}

static void
usage(FILE *f)
{
	fprintf(f,
"Usage: " KE_NAME " --listen ADDR:PORT [--threads N] [--cpus LIST] [--quiet]\n"
"TCP echo server (RFC 862) on Linux sockets: the kernel baseline for polltcp-echo.\n"
"One thread per CPU, each with its own SO_REUSEPORT listener and epoll set.\n"
"\n"
"  --listen ADDR:PORT  address and port to listen on (PORT 0: the kernel picks one)\n"
"  --threads N         threads (default: --cpus count, else the online CPUs)\n"
"  --cpus LIST         pin thread i to the i-th CPU of LIST (e.g. 0,2-3)\n"
"  --quiet             no per-connection error lines\n"
"  -h, --help          this help\n"
"\n"
"Prints \"listening on ADDR:PORT (N threads)\" when ready. SIGINT/SIGTERM: prints\n"
"\"" KE_NAME ": conns accepted N bytes echoed B\" and exits 0.\n");
}

static int
parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || *out > max)
		return -1;
	return 0;
}

static int
parse_listen(const char *s)
{
	char buf[64], *colon;
	unsigned long port;

	if (strlen(s) >= sizeof(buf))
		return usage_error("--listen '%s': not ADDR:PORT", s);
	strcpy(buf, s);
	colon = strrchr(buf, ':');
	if (colon == NULL)
		return usage_error("--listen '%s': not ADDR:PORT (the port is missing)", s);
	*colon = '\0';
	memset(&opt.addr, 0, sizeof(opt.addr));
	opt.addr.sin_family = AF_INET;
	if (inet_pton(AF_INET, buf, &opt.addr.sin_addr) != 1)
		return usage_error("--listen '%s': not an IPv4 address", s);
	if (parse_uint(colon + 1, 65535, &port) != 0)
		return usage_error("--listen '%s': bad port (0..65535)", s);
	opt.addr.sin_port = htons((uint16_t)port);
	return 0;
}

/* "0,2-3" */
static int
parse_cpus(const char *s)
{
	char buf[1024], *tok, *save = NULL, *dash;
	unsigned long a, b, c;

	if (strlen(s) >= sizeof(buf))
		return usage_error("--cpus '%s': too long", s);
	strcpy(buf, s);
	opt.ncpus = 0;
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		dash = strchr(tok, '-');
		if (dash != NULL)
			*dash = '\0';
		if (parse_uint(tok, KE_MAX_CPUS - 1, &a) != 0 ||
		    (dash != NULL && parse_uint(dash + 1, KE_MAX_CPUS - 1, &b) != 0))
			return usage_error("--cpus '%s': not a CPU list (e.g. 0,2-3)", s);
		if (dash == NULL)
			b = a;
		if (b < a)
			return usage_error("--cpus '%s': a range goes down", s);
		for (c = a; c <= b; c++) {
			if (opt.ncpus == KE_MAX_CPUS)
				return usage_error("--cpus '%s': too many CPUs", s);
			opt.cpus[opt.ncpus++] = (int)c;
		}
	}
	if (opt.ncpus == 0)
		return usage_error("--cpus '%s': empty", s);
	return 0;
}

/* 0 to run, 1 after --help, -1 after an error line. */
static int
parse_args(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "help",    no_argument,       NULL, 'h' },
		{ "listen",  required_argument, NULL, 'l' },
		{ "threads", required_argument, NULL, 't' },
		{ "cpus",    required_argument, NULL, 'c' },
		{ "quiet",   no_argument,       NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	bool have_listen = false;
	unsigned long n;
	int o;

	opterr = 0;
	while ((o = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		switch (o) {
		case 'h':
			usage(stdout);
			return 1;
		case 'l':
			if (parse_listen(optarg) != 0)
				return -1;
			have_listen = true;
			break;
		case 't':
			if (parse_uint(optarg, KE_MAX_THREADS, &n) != 0 || n == 0)
				return usage_error("--threads '%s': not 1..1024", optarg);
			opt.threads = (unsigned int)n;
			break;
		case 'c':
			if (parse_cpus(optarg) != 0)
				return -1;
			break;
		case 'q':
			opt.quiet = true;
			break;
		case ':':
			return usage_error("option %s needs a value", argv[optind - 1]);
		default:
			return usage_error("unknown option %s (see --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s' (see --help)", argv[optind]);
	if (!have_listen)
		return usage_error("missing --listen ADDR:PORT%s", "");
	if (opt.threads == 0) {
		long on = sysconf(_SC_NPROCESSORS_ONLN);

		opt.threads = opt.ncpus > 0 ? opt.ncpus : on > 0 ? (unsigned int)on : 1;
	}
	return 0;
}

/* Many connections need many descriptors: the soft limit up to the hard one. */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			fprintf(stderr, KE_NAME ": warning: setrlimit(RLIMIT_NOFILE): %s\n",
				strerror(errno));
	}
}

static int
open_listener(struct sockaddr_in *addr)
{
	int one = 1, fd;
	socklen_t len = sizeof(*addr);

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0 ||
	    bind(fd, (struct sockaddr *)addr, sizeof(*addr)) != 0 ||
	    listen(fd, SOMAXCONN) != 0 ||
	    getsockname(fd, (struct sockaddr *)addr, &len) != 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	return fd;
}

static int
set_interest(struct worker *w, struct kconn *kc, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = kc };

	return epoll_ctl(w->epfd, EPOLL_CTL_MOD, kc->fd, &ev);
}

static void
conn_close(struct worker *w, struct kconn *kc)
{
	close(kc->fd);                 /* also leaves the epoll set */
	free(kc->pend);
	free(kc);
	w->closed++;
}

/* Write buf[0..len); keep what the socket did not take. 0, or -1 to close. */
static int
echo_back(struct worker *w, struct kconn *kc, const uint8_t *buf, uint32_t len)
{
	ssize_t n = 0;

	while (len > 0) {
		n = send(kc->fd, buf, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			if (errno != ECONNRESET && errno != EPIPE)
				warnx_(w, "send", errno);
			w->errors++;
			return -1;
		}
		w->bytes += (uint64_t)n;
		buf += n;
		len -= (uint32_t)n;
	}
	if (len == 0)
		return 0;
	/* Short write: exactly the rest is kept; no more reading until it is gone. */
	kc->pend = malloc(len);
	if (kc->pend == NULL) {
		warnx_(w, "malloc", ENOMEM);
		w->errors++;
		return -1;
	}
	memcpy(kc->pend, buf, len);
	kc->pend_len = len;
	kc->pend_off = 0;
	if (set_interest(w, kc, EPOLLOUT) != 0) {
		warnx_(w, "epoll_ctl", errno);
		w->errors++;
		return -1;
	}
	return 0;
}

static void
on_readable(struct worker *w, struct kconn *kc)
{
	ssize_t n;

	n = recv(kc->fd, w->buf, KE_BUF, 0);
	if (n > 0) {
		if (echo_back(w, kc, w->buf, (uint32_t)n) != 0)
			conn_close(w, kc);
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		if (errno != ECONNRESET)
			warnx_(w, "recv", errno);
		w->errors++;
	}
	conn_close(w, kc);             /* EOF: nothing pending, every byte echoed */
}

static void
on_writable(struct worker *w, struct kconn *kc)
{
	ssize_t n;

	while (kc->pend_len > 0) {
		n = send(kc->fd, kc->pend + kc->pend_off, kc->pend_len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;
			if (errno != ECONNRESET && errno != EPIPE)
				warnx_(w, "send", errno);
			w->errors++;
			conn_close(w, kc);
			return;
		}
		w->bytes += (uint64_t)n;
		kc->pend_off += (uint32_t)n;
		kc->pend_len -= (uint32_t)n;
	}
	free(kc->pend);
	kc->pend = NULL;
	kc->pend_off = 0;
	if (set_interest(w, kc, EPOLLIN) != 0) {
		warnx_(w, "epoll_ctl", errno);
		w->errors++;
		conn_close(w, kc);
	}
}

/*
 * Out of descriptors: the pending connection would keep the listener
 * readable forever (level-triggered). Give up the spare descriptor, accept
 * and close that connection (the peer sees it closed, not hanging), take
 * the spare back.
 */
static void
shed_one(struct worker *w)
{
	int fd;

	if (w->spare_fd < 0)
		return;
	close(w->spare_fd);
	fd = accept(w->lfd, NULL, NULL);
	if (fd >= 0)
		close(fd);
	w->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	w->errors++;
}

static void
on_accept(struct worker *w)
{
	struct epoll_event ev;
	struct kconn *kc;
	int one = 1, fd, i;

	for (i = 0; i < KE_ACCEPT_MAX; i++) {
		fd = accept4(w->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
				return;
			warnx_(w, "accept", errno);
			if (errno == EMFILE || errno == ENFILE)
				shed_one(w);
			return;
		}
		/* Echo replies are small and immediate: no Nagle delay on them. */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		kc = calloc(1, sizeof(*kc));
		if (kc == NULL) {
			close(fd);
			w->errors++;
			continue;
		}
		kc->fd = fd;
		ev.events = EPOLLIN;
		ev.data.ptr = kc;
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
			warnx_(w, "epoll_ctl", errno);
			close(fd);
			free(kc);
			w->errors++;
			continue;
		}
		w->accepted++;
	}
}

static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	struct epoll_event evs[KE_EVENTS];
	bool stop = false;
	int n, i;

	if (w->cpu >= 0) {
		cpu_set_t set;
		int err;

		CPU_ZERO(&set);
		CPU_SET(w->cpu, &set);
		err = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
		if (err != 0)
			warnx_(w, "pthread_setaffinity_np", err);
	}
	while (!stop) {
		n = epoll_wait(w->epfd, evs, KE_EVENTS, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			warnx_(w, "epoll_wait", errno);
			break;
		}
		for (i = 0; i < n; i++) {
			void *p = evs[i].data.ptr;
			struct kconn *kc = p;

			if (p == &stop_tag) {
				stop = true;
			} else if (p == &listener_tag) {
				on_accept(w);
			} else if (kc->pend != NULL) {
				/* Only EPOLLOUT asked for; ERR/HUP make the write fail. */
				on_writable(w, kc);
			} else {
				on_readable(w, kc);    /* data, EOF, or ERR/HUP as a read error */
			}
		}
	}
	return NULL;
}

static int
worker_setup(struct worker *w)
{
	struct epoll_event ev = { .events = EPOLLIN };

	w->buf = malloc(KE_BUF);
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	w->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (w->buf == NULL || w->epfd < 0)
		return -ENOMEM;
	ev.data.ptr = &listener_tag;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->lfd, &ev) != 0)
		return -errno;
	ev.data.ptr = &stop_tag;       /* level-triggered and never read: wakes every thread */
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, stop_fd, &ev) != 0)
		return -errno;
	return 0;
}

int
main(int argc, char **argv)
{
	struct worker *ws;
	uint64_t accepted = 0, bytes = 0, one = 1;
	char astr[INET_ADDRSTRLEN];
	sigset_t sigs;
	unsigned int i;
	int ret, sig;

	ret = parse_args(argc, argv);
	if (ret != 0)
		return ret > 0 ? 0 : 1;
	raise_nofile();
	setvbuf(stdout, NULL, _IOLBF, 0);

	stop_fd = eventfd(0, EFD_CLOEXEC);
	ws = calloc(opt.threads, sizeof(*ws));
	if (stop_fd < 0 || ws == NULL) {
		fprintf(stderr, KE_NAME ": error: %s\n", strerror(errno != 0 ? errno : ENOMEM));
		return 1;
	}
	/* Listeners first: PORT 0 resolves on the first bind; the others join it. */
	for (i = 0; i < opt.threads; i++) {
		ws[i].idx = i;
		ws[i].cpu = opt.ncpus > 0 ? opt.cpus[i % opt.ncpus] : -1;
		ws[i].lfd = open_listener(&opt.addr);
		if (ws[i].lfd < 0) {
			inet_ntop(AF_INET, &opt.addr.sin_addr, astr, sizeof(astr));
			fprintf(stderr, KE_NAME ": error: listen on %s:%u: %s\n", astr,
				ntohs(opt.addr.sin_port), strerror(-ws[i].lfd));
			return 1;
		}
		ret = worker_setup(&ws[i]);
		if (ret != 0) {
			fprintf(stderr, KE_NAME ": error: thread %u setup: %s\n", i, strerror(-ret));
			return 1;
		}
	}

	/* Signals go to sigwait below; the threads inherit the blocked mask. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	for (i = 0; i < opt.threads; i++) {
		ret = pthread_create(&ws[i].tid, NULL, worker_run, &ws[i]);
		if (ret != 0) {
			fprintf(stderr, KE_NAME ": error: pthread_create: %s\n", strerror(ret));
			return 1;
		}
	}
	inet_ntop(AF_INET, &opt.addr.sin_addr, astr, sizeof(astr));
	printf("listening on %s:%u (%u thread%s)\n", astr, ntohs(opt.addr.sin_port), opt.threads,
	       opt.threads == 1 ? "" : "s");

	while (sigwait(&sigs, &sig) != 0)
		;
	if (write(stop_fd, &one, sizeof(one)) != sizeof(one))
		fprintf(stderr, KE_NAME ": warning: eventfd write: %s\n", strerror(errno));
	for (i = 0; i < opt.threads; i++) {
		pthread_join(ws[i].tid, NULL);
		accepted += ws[i].accepted;
		bytes += ws[i].bytes;
	}
	printf(KE_NAME ": conns accepted %" PRIu64 " bytes echoed %" PRIu64 "\n", accepted, bytes);
	for (i = 0; i < opt.threads; i++) {
		free(ws[i].buf);
		close(ws[i].epfd);
		close(ws[i].lfd);
		if (ws[i].spare_fd >= 0)
			close(ws[i].spare_fd);
	}
	free(ws);
	close(stop_fd);
	return 0;
}
