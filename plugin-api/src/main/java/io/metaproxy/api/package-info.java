/**
 * The metaproxy plugin SPI: everything a protocol codec or a Java filter compiles against.
 *
 * <h2>Codecs</h2>
 * A protocol is a {@link io.metaproxy.api.Codec}: it {@linkplain io.metaproxy.api.Codec#decode decodes} one frame at a
 * time into {@link io.metaproxy.api.Metadata} (typed fields plus string key/values used for routing), {@linkplain
 * io.metaproxy.api.Codec#encode encodes} a frame back applying a {@link io.metaproxy.api.Mutation}, and {@linkplain
 * io.metaproxy.api.Codec#onError writes the protocol's own error reply}. A plugin publishes a {@link
 * io.metaproxy.api.CodecFactory} as a PF4J extension; listeners and clusters name it by {@link
 * io.metaproxy.api.CodecFactory#name()}.
 *
 * <h2>Filters</h2>
 * Traffic policy is a chain of {@link io.metaproxy.api.Filter}s made by {@link io.metaproxy.api.FilterFactory}
 * extensions. Every filter, Java or script, sees one {@link io.metaproxy.api.FilterContext}: read access to the
 * message's Metadata, write access to its Mutation, a local reply, a cluster override and per-request state.
 *
 * <h2>Buffer ownership</h2>
 * The host owns every {@link io.netty.buffer.ByteBuf} that crosses this API, with one rule per method, stated on the
 * method. In short: codecs read from the buffers they are given and write into the buffers they are given, and never
 * retain or release either. {@link io.metaproxy.api.Metadata#originalFrame()} belongs to the Metadata, which the host
 * releases when the message is done.
 *
 * <h2>Threads</h2>
 * A codec instance serves one connection and is only called on that connection's event loop. A filter instance is
 * created per event loop and per configuration snapshot and is only called on that loop, so filters need no locks.
 */
package io.metaproxy.api;
