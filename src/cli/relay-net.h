/*
 * The network side of `cotrace relay` and `cotrace record --relay`: relay
 * URLs as lttng writes them (net://HOST[:CONTROL[:DATA]]), whether a relay
 * answers, and whether a connection to it is still up. The transport is
 * LTTng's own (lttng-sessiond to lttng-relayd): this file only looks at it.
 */
#ifndef COTRACE_CLI_RELAY_NET_H
#define COTRACE_CLI_RELAY_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* lttng-relayd's own default ports (lttng-relayd(8)). */
#define CLI_RELAY_CONTROL_PORT 5342
#define CLI_RELAY_DATA_PORT 5343
#define CLI_RELAY_LIVE_PORT 5344

/* A relay as `cotrace record --relay URL` names it. */
struct cli_relay_url {
	char *host; /* owned: a name or an address, no brackets */
	unsigned int control_port;
	unsigned int data_port;
	bool ipv6; /* net6://: an IPv6 address */
	char *url; /* owned: net://HOST:CONTROL:DATA for liblttng-ctl */
};

/*
 * Parses net://HOST[:CONTROL[:DATA]] (net6://[ADDR][:CONTROL[:DATA]] for
 * IPv6; missing ports are lttng-relayd's defaults). Returns 0, or prints
 * one error naming `option` and returns -1.
 */
int cli_relay_url_parse(
		const char *arg, const char *option, struct cli_relay_url *url);
void cli_relay_url_release(struct cli_relay_url *url);

/* The addresses a relay answers on (its control port), resolved once. */
struct cli_relay_addrs {
	struct sockaddr_storage addr[8];
	socklen_t len[8];
	size_t n;
};

/*
 * Resolves `url`'s host and connects to its control port, giving up after
 * `timeout_ms`. Returns 0 when something listens there; else -errno
 * (-ECONNREFUSED: nothing listens, -ETIMEDOUT, -EHOSTUNREACH...) or an
 * EAI_* code below -1000 when the name does not resolve (then `*why` is
 * gai_strerror's text). Fills `addrs` with what the host resolved to.
 */
int cli_relay_probe(const struct cli_relay_url *url, int timeout_ms,
		struct cli_relay_addrs *addrs, const char **why);

/*
 * How many TCP connections of this machine to the relay's control port
 * (any of `addrs`) are established, from /proc/net/tcp and tcp6: the
 * session daemon keeps one open while a session streams there, and loses
 * it when the relay goes away. -1 when /proc cannot be read.
 */
long cli_relay_connections(const struct cli_relay_addrs *addrs);

/* Whether something of this machine listens on TCP `port` (/proc). */
bool cli_tcp_port_listening(unsigned int port);

#endif /* COTRACE_CLI_RELAY_NET_H */
