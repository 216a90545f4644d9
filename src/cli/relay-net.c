/* Relay URLs, reaching a relay, and watching the connection to it. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "relay-net.h"

#define TCP_ESTABLISHED_STATE 0x01
#define TCP_LISTEN_STATE 0x0A

static int
parse_port(const char *s, size_t len, unsigned int *port)
{
	unsigned int v = 0;

	if (len == 0 || len > 5) {
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return -1;
		}
		v = v * 10 + (unsigned int)(s[i] - '0');
	}
	if (v == 0 || v > 65535) {
		return -1;
	}
	*port = v;
	return 0;
}

int
cli_relay_url_parse(
		const char *arg, const char *option, struct cli_relay_url *url)
{
	const char *p = arg, *host, *host_end, *ports;
	const char *colon;
	char *host_copy = NULL;

	memset(url, 0, sizeof(*url));
	url->control_port = CLI_RELAY_CONTROL_PORT;
	url->data_port = CLI_RELAY_DATA_PORT;
	if (!strncmp(p, "net://", 6)) {
		p += 6;
	} else if (!strncmp(p, "net6://", 7)) {
		p += 7;
		url->ipv6 = true;
	} else if (strstr(p, "://")) {
		goto bad_scheme;
	}
	if (*p == '[') {
		host = p + 1;
		host_end = strchr(host, ']');
		if (!host_end) {
			goto bad;
		}
		ports = host_end + 1;
		url->ipv6 = true;
	} else {
		host = p;
		host_end = host + strcspn(host, ":/");
		ports = host_end;
	}
	if (host_end == host) {
		goto bad;
	}
	if (*ports == ':') {
		ports++;
		colon = strchr(ports, ':');
		if (parse_port(ports,
				    colon ? (size_t)(colon - ports)
					  : strcspn(ports, "/"),
				    &url->control_port)) {
			goto bad;
		}
		if (colon) {
			if (parse_port(colon + 1, strcspn(colon + 1, "/"),
					    &url->data_port)) {
				goto bad;
			}
			ports = colon + 1 + strcspn(colon + 1, "/");
		} else {
			ports += strcspn(ports, "/");
		}
	}
	if (*ports == '/') {
		cli_error("%s '%s': a trace path is not supported: the relay "
			  "files each recording under its hostname; write "
			  "net://HOST[:CONTROL_PORT[:DATA_PORT]]",
				option, arg);
		return -1;
	}
	if (*ports != '\0') {
		goto bad;
	}
	if (url->control_port == url->data_port) {
		cli_error("%s '%s': the control and data ports must differ",
				option, arg);
		return -1;
	}
	host_copy = strndup(host, (size_t)(host_end - host));
	if (!host_copy) {
		cli_error("out of memory");
		return -1;
	}
	url->host = host_copy;
	if (asprintf(&url->url, "%s://%s%s%s:%u:%u", url->ipv6 ? "net6" : "net",
			    url->ipv6 ? "[" : "", host_copy,
			    url->ipv6 ? "]" : "", url->control_port,
			    url->data_port) < 0) {
		url->url = NULL;
		cli_relay_url_release(url);
		cli_error("out of memory");
		return -1;
	}
	return 0;
bad_scheme:
	cli_error("%s '%s': cotrace streams to an lttng-relayd only: write "
		  "net://HOST[:CONTROL_PORT[:DATA_PORT]]",
			option, arg);
	return -1;
bad:
	cli_error("%s '%s': not a relay address; write "
		  "net://HOST[:CONTROL_PORT[:DATA_PORT]] (ports 1 to 65535, "
		  "e.g. net://lab-server or net://192.168.1.10:5342:5343)",
			option, arg);
	return -1;
}

void
cli_relay_url_release(struct cli_relay_url *url)
{
	if (!url) {
		return;
	}
	free(url->host);
	free(url->url);
	url->host = NULL;
	url->url = NULL;
}

/* A non-blocking connect() bounded by `timeout_ms`: 0 or -errno. */
static int
connect_within(const struct addrinfo *ai, int timeout_ms)
{
	struct pollfd pfd;
	socklen_t len = sizeof(int);
	int fd, err = 0, ret;

	fd = socket(ai->ai_family,
			ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			ai->ai_protocol);
	if (fd < 0) {
		return -errno;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
		goto end;
	}
	if (errno != EINPROGRESS) {
		err = -errno;
		goto end;
	}
	pfd.fd = fd;
	pfd.events = POLLOUT;
	do {
		ret = poll(&pfd, 1, timeout_ms);
	} while (ret < 0 && errno == EINTR);
	if (ret == 0) {
		err = -ETIMEDOUT;
	} else if (ret < 0) {
		err = -errno;
	} else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &ret, &len) != 0) {
		err = -errno;
	} else {
		err = -ret;
	}
end:
	close(fd);
	return err;
}

int
cli_relay_probe(const struct cli_relay_url *url, int timeout_ms,
		struct cli_relay_addrs *addrs, const char **why)
{
	struct addrinfo hints, *res = NULL;
	char port[8];
	int ret, err = -ECONNREFUSED;

	memset(addrs, 0, sizeof(*addrs));
	*why = NULL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = url->ipv6 ? AF_INET6 : AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(port, sizeof(port), "%u", url->control_port);
	ret = getaddrinfo(url->host, port, &hints, &res);
	if (ret != 0) {
		*why = gai_strerror(ret);
		return -1000 + ret;
	}
	for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		if (addrs->n < sizeof(addrs->addr) / sizeof(addrs->addr[0]) &&
				ai->ai_addrlen <= sizeof(addrs->addr[0])) {
			memcpy(&addrs->addr[addrs->n], ai->ai_addr,
					ai->ai_addrlen);
			addrs->len[addrs->n++] = ai->ai_addrlen;
		}
	}
	for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		err = connect_within(ai, timeout_ms);
		if (err == 0) {
			break;
		}
	}
	freeaddrinfo(res);
	return err;
}

/* Whether a /proc/net/tcp6 address (4 words as printed) is `sa`. */
static bool
same_addr6(const unsigned int w[4], unsigned int port,
		const struct sockaddr_storage *sa)
{
	if (sa->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;
		uint32_t words[4];

		memcpy(words, &s6->sin6_addr, sizeof(words));
		return ntohs(s6->sin6_port) == port && words[0] == w[0] &&
		       words[1] == w[1] && words[2] == w[2] && words[3] == w[3];
	}
	if (sa->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;
		/* ::ffff:a.b.c.d, an IPv4 peer of a dual-stack socket */
		uint32_t mapped = htonl(0xffff);

		return ntohs(s4->sin_port) == port && w[0] == 0 && w[1] == 0 &&
		       w[2] == mapped && w[3] == s4->sin_addr.s_addr;
	}
	return false;
}

static long
count_in(const char *file, const struct cli_relay_addrs *addrs, bool v6)
{
	char line[512];
	long n = 0;
	FILE *f = fopen(file, "re");

	if (!f) {
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned int w[4], port, st, a4;
		int got;

		if (v6) {
			got = sscanf(line,
					" %*u: %*32[0-9A-Fa-f]:%*4x "
					"%8x%8x%8x%8x:%4x %2x",
					&w[0], &w[1], &w[2], &w[3], &port, &st);
			if (got != 6 || st != TCP_ESTABLISHED_STATE) {
				continue;
			}
		} else {
			got = sscanf(line, " %*u: %*8x:%*4x %8x:%4x %2x", &a4,
					&port, &st);
			if (got != 3 || st != TCP_ESTABLISHED_STATE) {
				continue;
			}
			w[0] = w[1] = 0;
			w[2] = htonl(0xffff);
			w[3] = a4;
		}
		for (size_t i = 0; i < addrs->n; i++) {
			if (same_addr6(w, port, &addrs->addr[i])) {
				n++;
				break;
			}
		}
	}
	fclose(f);
	return n;
}

long
cli_relay_connections(const struct cli_relay_addrs *addrs)
{
	long v4 = count_in("/proc/net/tcp", addrs, false);
	long v6 = count_in("/proc/net/tcp6", addrs, true);

	if (v4 < 0 && v6 < 0) {
		return -1;
	}
	return (v4 > 0 ? v4 : 0) + (v6 > 0 ? v6 : 0);
}

static bool
listening_in(const char *file, unsigned int want, bool v6)
{
	char line[512];
	bool found = false;
	FILE *f = fopen(file, "re");

	if (!f) {
		return false;
	}
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned int port, st;
		int got = v6 ? sscanf(line, " %*u: %*32[0-9A-Fa-f]:%4x %*s %2x",
					       &port, &st)
			     : sscanf(line, " %*u: %*8x:%4x %*s %2x", &port,
					       &st);

		found = got == 2 && port == want && st == TCP_LISTEN_STATE;
	}
	fclose(f);
	return found;
}

bool
cli_tcp_port_listening(unsigned int port)
{
	return listening_in("/proc/net/tcp", port, false) ||
	       listening_in("/proc/net/tcp6", port, true);
}
