/**
 * The SOFA Bolt protocol as a metaproxy codec ({@code protocol: bolt}): Bolt v1 and v2 (with its optional CRC32),
 * the framing under SOFA RPC's {@code bolt} transport and plain Bolt {@code RpcClient}/{@code RpcServer}.
 *
 * <h2>Metadata</h2>
 * <ul>
 *   <li>Every entry of the command's header map, under its own name. SOFA RPC writes {@code service} (the target
 *       service's unique name, e.g. {@code com.example.Greeter:1.0}), {@code sofa_head_target_service}, {@code
 *       sofa_head_method_name}, {@code sofa_head_target_app} and the request's baggage here.
 *   <li>{@code class}: the request or response class name from the frame (e.g. {@code
 *       com.alipay.sofa.rpc.core.request.SofaRequest}), for RPC commands that have one.
 *   <li>{@code service}, {@code method} (requests): from the header keys of the same name, else from SOFA's {@code
 *       sofa_head_target_service} and {@code sofa_head_method_name}.
 *   <li>{@code status} (responses): Bolt's ResponseStatus name, e.g. {@code SUCCESS}, {@code SERVER_EXCEPTION}.
 * </ul>
 * The request id is Bolt's 32-bit id, read unsigned. The operation is {@code service/method} when both are known,
 * else the class name. Commands with code 0 are {@link io.metaproxy.api.MessageType#HEARTBEAT}; responses with a
 * status other than SUCCESS are {@link io.metaproxy.api.MessageType#ERROR}.
 *
 * <h2>Mutation</h2>
 * Changes the header map only: removed keys are dropped, set keys are written as header entries; the class name and
 * content bytes are copied, headerLen is fixed up and a v2 CRC recomputed. ({@code class} and {@code status} come
 * from fixed frame fields: setting them adds a header entry of that name, it does not change the frame's class.) A
 * header block in some other serializer's format exposes no keys and is forwarded unchanged, mutation or not.
 *
 * <h2>Errors and heartbeats</h2>
 * {@link io.metaproxy.api.Codec#onError} answers like a failing Bolt server: status SERVER_EXCEPTION and a
 * Hessian-serialized {@code RpcServerException}, which Bolt's client surfaces as the cause of its {@code
 * InvokeServerException}. Heartbeat requests are answered with a heartbeat ack; the host's own heartbeats are v1
 * heartbeat commands.
 */
package io.metaproxy.codec.bolt;
