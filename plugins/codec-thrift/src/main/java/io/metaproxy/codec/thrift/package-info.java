/**
 * The Apache Thrift codec plugin ({@code protocol: thrift}): {@link io.metaproxy.codec.thrift.ThriftCodecFactory},
 * published as a PF4J extension, and the per-connection {@link io.metaproxy.codec.thrift.ThriftCodec} with its wire
 * readers and writers. It needs no libthrift at run time.
 *
 * <h2>Wire formats</h2>
 * Transports: framed ({@code TFramedTransport}: a 4-byte big-endian length, then the message) and unframed (a plain
 * or buffered {@code TSocket} stream). Protocols: {@code TBinaryProtocol} strict (version word {@code 0x8001}, what
 * libthrift writes by default), {@code TBinaryProtocol} non-strict (no version word) and {@code TCompactProtocol}
 * ({@code 0x82}). Each connection's format is detected from its first bytes, remembered by the codec, and stored in
 * every message's {@code Metadata.codecState()}; a connection that changes format mid-stream is closed. The proxy
 * does not translate between formats: clients and their upstreams must speak the same one.
 * {@code THeader} ({@code 0x0FFF}) and HTTP transports are not supported: libthrift for Java has neither THeader nor
 * a way to carry headers on binary/compact messages.
 *
 * <p>Decoding reads the message header (name, type, seqid) and, for unframed messages, skips the struct body
 * field by field without decoding it (all Thrift types, nesting up to 64 levels, fixed-width collections in one
 * step) to find where the message ends; framed messages end where their length says. Messages larger than the
 * limit ({@value io.metaproxy.codec.thrift.ThriftCodec#DEFAULT_MAX_MESSAGE_SIZE} bytes, libthrift's own default
 * frame limit) and bytes that are not Thrift (an HTTP or TLS client, say) fail with a {@code CodecException}.
 *
 * <h2>Metadata</h2>
 * <ul>
 *   <li>{@code method}: the message name, without the multiplexed service prefix. Every message has one (replies
 *       carry the method name too).
 *   <li>{@code service}: for {@code TMultiplexedProtocol} names ({@code "Service:method"}), the part before the first
 *       {@code ':'} (where {@code TMultiplexedProcessor} splits). Absent otherwise, replies included.
 *   <li>request id: the seqid, read as an unsigned 32-bit number; operation: {@code service/method} or {@code
 *       method}; message type: CALL as REQUEST, ONEWAY as ONEWAY, REPLY as RESPONSE, EXCEPTION as ERROR.
 * </ul>
 *
 * <h2>Mutations: what reaches the wire</h2>
 * Thrift binary and compact messages have no header map, and a stock libthrift 0.17 server reads nothing but the
 * message name, type, seqid and the argument struct. So the codec applies only what the message name can express,
 * the same way for requests and responses:
 * <ul>
 *   <li>{@code service} set to {@code S}: the name becomes {@code S:method}, replacing the multiplexed prefix or
 *       adding one, so that a {@code TMultiplexedProcessor} dispatches to service {@code S} (route to a renamed or
 *       versioned service). A value containing {@code ':'} is ignored and logged.
 *   <li>{@code service} removed, or set to {@code ""}: the prefix is dropped and the name becomes {@code method},
 *       for a plain (non-multiplexed) server behind multiplexing clients.
 *   <li>{@code method} set to {@code m}: the part after the prefix becomes {@code m} (a renamed method). Removing
 *       {@code method} is ignored and logged: a message cannot lose its name.
 *   <li>any other key: cannot be carried; ignored, logged as a warning once per key per process (then at DEBUG).
 * </ul>
 * The request id is always honoured: encode writes the low 32 bits of {@code Metadata.requestId()} as the seqid,
 * and {@code rewriteRequestId} patches it in place (binary: always; compact: when the new varint has the old one's
 * length, otherwise the host re-encodes). Encoding rewrites the header (and frame length) and copies the body bytes.
 *
 * <h2>Errors</h2>
 * {@code onError} answers a CALL with an EXCEPTION message in the request's format, carrying the request's method
 * name and seqid and a {@code TApplicationException} {@code {1: message, 2: type}} whose message reads
 * {@code "metaproxy: <error_type>: <message>"}. Types: {@code route_not_found} is {@code UNKNOWN_METHOD} (1), {@code
 * bad_request} is {@code PROTOCOL_ERROR} (7), {@code unspecified} is {@code UNKNOWN} (0), every other error is
 * {@code INTERNAL_ERROR} (6). A ONEWAY request gets no reply: its client reads none. Thrift has no heartbeats.
 */
package io.metaproxy.codec.thrift;
