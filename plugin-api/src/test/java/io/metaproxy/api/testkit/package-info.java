/**
 * The codec contract test kit: {@link io.metaproxy.api.testkit.CodecContractTest}, JUnit 5 tests every {@link
 * io.metaproxy.api.Codec} must pass, shipped in plugin-api's test jar.
 *
 * <h2>Using it</h2>
 * Depend on {@code io.metaproxy:metaproxy-plugin-api} with {@code <type>test-jar</type>} and scope {@code test} (the
 * plugins parent pom already does), then extend the class:
 *
 * <pre>{@code
 * class MyCodecContractTest extends CodecContractTest {
 *   protected CodecFactory codecFactory() { return new MyCodecFactory(); }
 *   protected byte[] sampleRequest() { return REQUEST; }    // made by the protocol's real client library
 *   protected long sampleRequestId() { return 42; }
 *   protected byte[] sampleResponse() { return RESPONSE; }  // the answer to REQUEST, same id
 *   // optional: frameWithOversizedLength(), mutableRequestKey(), responsesCarryMutations(), addedKey()
 * }
 * }</pre>
 *
 * <h2>What it checks</h2>
 * <ul>
 *   <li>the factory: a lower-case name and a new codec per connection;
 *   <li>decode: the samples decode to DONE consuming exactly their bytes, with the request id, a request type for the
 *       request and a response type for the response, the original frame equal to the input, and the same result from
 *       heap, direct, offset and composite buffers;
 *   <li>framing: fed one byte at a time, decode waits (WAIT_FOR_DATA, bytes untouched) until the last byte (frames
 *       over 4 KiB: every length in the first and last KiB, a thousand between); two frames back to back decode one
 *       at a time;
 *   <li>bad input: garbage ends in a {@link io.metaproxy.api.CodecException} or WAIT_FOR_DATA, never another
 *       exception; an oversized length field is refused before the body arrives;
 *   <li>encode: an empty mutation keeps the message; added, replaced and removed keys survive re-decoding (requests,
 *       and responses unless the protocol cannot carry them); {@link io.metaproxy.api.Metadata#requestId()} is the
 *       id written; output goes at the writer index of {@code out};
 *   <li>errors: {@code onError} for every {@link io.metaproxy.api.ErrorType} writes a frame the same codec decodes as
 *       a response with the request's id, also for a request that never decoded;
 *   <li>{@code rewriteRequestId} (when the codec supports it) changes the id and nothing else, writing only inside
 *       the frame it is given; heartbeats (when the protocol has them) are answered once with their id.
 * </ul>
 *
 * <h2>Buffers</h2>
 * The kit plays the host: it owns every buffer (pooled, released after each test) and attaches decoded frames to the
 * Metadata the way the host does. After each test it checks that every buffer's reference count is still 1, so a
 * codec that retains or releases a buffer it was lent fails; run with {@code -Dio.netty.leakDetection.level=paranoid}
 * (the build does) to catch the rest.
 *
 * <p>The kit tests the contract, not the protocol: a codec's own tests should still decode its output with the
 * protocol's real library.
 */
package io.metaproxy.api.testkit;
