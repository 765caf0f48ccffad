package io.metaproxy.host.upstream;

import io.metaproxy.host.config.ClusterConfig;
import io.metaproxy.host.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active health checks for one snapshot's clusters that configure {@code health_check}: every interval, a TCP
 * connection to each endpoint must open within the timeout. A failed probe marks the endpoint unhealthy (requests
 * avoid it while another is usable); the next successful one marks it healthy again. Probes run on one event loop
 * and cost nothing on the request path beyond one volatile read.
 */
public final class HealthChecker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);

  private final List<Future<?>> schedules = new ArrayList<>();
  private volatile boolean closed;

  public HealthChecker(Collection<UpstreamTarget> targets, Transport transport) {
    EventLoop loop = transport.loops().get(0);
    for (UpstreamTarget target : targets) {
      ClusterConfig.HealthCheck check = target.config().healthCheck();
      if (check == null || target.endpointCount() == 0) {
        continue;
      }
      long interval = Math.max(1, check.interval().toMillis());
      int timeout = (int) Math.max(1, check.timeout().toMillis());
      schedules.add(loop.scheduleAtFixedRate(
          () -> probeAll(target, loop, transport, timeout), 0, interval, TimeUnit.MILLISECONDS));
    }
  }

  private void probeAll(UpstreamTarget target, EventLoop loop, Transport transport, int timeoutMillis) {
    for (int i = 0; i < target.endpointCount(); i++) {
      int index = i;
      InetSocketAddress address = target.address(i);
      ChannelFuture connect = new Bootstrap()
          .group(loop)
          .channel(transport.socketChannel())
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMillis)
          .handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {}
          })
          .connect(new InetSocketAddress(address.getHostString(), address.getPort()));
      connect.addListener(f -> {
        if (closed) {
          connect.channel().close();
          return;
        }
        boolean healthy = f.isSuccess();
        if (healthy != target.isHealthy(index)) {
          log.warn("cluster {} endpoint {} is now {}", target.name(), address, healthy ? "healthy" : "unhealthy");
        }
        target.setHealthy(index, healthy);
        connect.channel().close();
      });
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Future<?> schedule : schedules) {
      schedule.cancel(false);
    }
  }
}
