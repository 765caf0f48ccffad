package io.metaproxy.host.filter;

import io.metaproxy.api.CodecFactory;
import io.metaproxy.api.ErrorType;
import io.metaproxy.api.Metadata;
import io.metaproxy.api.Mutation;
import io.metaproxy.host.route.Route;
import io.metaproxy.host.server.ListenerRuntime;
import io.metaproxy.host.upstream.UpstreamPools;
import io.metaproxy.host.upstream.UpstreamRequest;
import io.metaproxy.host.upstream.UpstreamTarget;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A copy of a request sent to a route's mirror cluster; its response (or failure) is dropped. The copy has its own
 * frame bytes: the original's may be patched in place for multiplexing while both are in flight, and mirroring is
 * sampled, so the copy is worth its cost.
 */
final class Mirror implements UpstreamRequest {
  private static final Logger log = LoggerFactory.getLogger(Mirror.class);

  private final Metadata copy;
  private final Mutation mutation;
  private final UpstreamPools pools;
  private final UpstreamTarget target;
  private final int endpoint;
  private final CodecFactory codec;
  private ScheduledFuture<?> timeout;
  private boolean done;

  private Mirror(Metadata copy, Mutation mutation, UpstreamPools pools, UpstreamTarget target, int endpoint,
      CodecFactory codec) {
    this.copy = copy;
    this.mutation = mutation;
    this.pools = pools;
    this.target = target;
    this.endpoint = endpoint;
    this.codec = codec;
  }

  static void send(ListenerRuntime listener, Route route, Metadata request, Mutation requestMutation,
      CodecFactory codec, EventLoop loop, int loopIndex, UpstreamPools pools) {
    UpstreamTarget target = listener.target(route.mirrorCluster());
    if (target == null || target.endpointCount() == 0) {
      return;
    }
    Metadata copy = new Metadata();
    copy.setMessageType(request.messageType());
    copy.setRequestId(request.requestId());
    copy.setStreamId(request.streamId());
    copy.setOperation(request.operation());
    copy.setHeaderSize(request.headerSize());
    copy.setBodySize(request.bodySize());
    copy.setCodecState(request.codecState());
    request.forEach(copy::put);
    copy.attachFrame(request.originalFrame().copy());
    Mutation mutation = new Mutation();
    if (requestMutation != null) {
      requestMutation.forEach((key, value) -> {
        if (value == null) {
          mutation.remove(key);
        } else {
          mutation.set(key, value);
        }
      });
    }
    int endpoint = target.pickEndpoint(loopIndex, pools, codec, -1, UpstreamTarget.NO_HASH);
    Mirror mirror = new Mirror(copy, mutation, pools, target, endpoint, codec);
    if (!mirror.isOneway()) {
      mirror.timeout = loop.schedule(mirror::expire, route.timeoutNanos(), TimeUnit.NANOSECONDS);
    }
    pools.send(target, endpoint, codec, mirror);
  }

  private void expire() {
    if (!done) {
      pools.cancel(target, endpoint, codec, this);
      finish();
    }
  }

  private void finish() {
    done = true;
    if (timeout != null) {
      timeout.cancel(false);
    }
    copy.release();
  }

  @Override
  public Metadata requestMetadata() {
    return copy;
  }

  @Override
  public Mutation requestMutation() {
    return mutation;
  }

  @Override
  public boolean isOneway() {
    return copy.messageType() == io.metaproxy.api.MessageType.ONEWAY;
  }

  @Override
  public void onOnewaySent() {
    finish();
  }

  @Override
  public void onUpstreamResponse(Metadata response) {
    response.release();
    if (!done) {
      finish();
    }
  }

  @Override
  public void onUpstreamFailure(ErrorType error, String message, boolean connectFailure) {
    log.debug("mirror to {} failed: {}", target.name(), message);
    if (!done) {
      finish();
    }
  }
}
