/**
 * Echo backends: a Netty server per protocol that answers every request with a fixed reply, so that the backend is
 * never what a benchmark measures. It reads only frame headers (length and request id) and copies a prebuilt reply
 * with the id patched in, so it answers frames a proxy has rewritten (new ids, mutated attachments) just as well as
 * the load generator's own.
 */
package io.metaproxy.bench.echo;
