package io.metaproxy.bench.jmh.host;

import io.metaproxy.api.ErrorType;
import io.metaproxy.api.Filter;
import io.metaproxy.api.FilterConfig;
import io.metaproxy.api.FilterContext;
import io.metaproxy.api.FilterFactory;
import io.metaproxy.api.FilterStatus;
import java.util.Map;

/**
 * The filters of the host-level micro-benchmarks, each as cheap as its job allows so that what is measured is the
 * host's chain around them:
 *
 * <ul>
 *   <li>{@code bench_noop}: continues on both paths, touching nothing;
 *   <li>{@code bench_read}: reads one key ({@code key}, default {@code x-user}) on both paths;
 *   <li>{@code bench_write}: sets one key ({@code key} = {@code value}, default {@code x-bench=1}) on both paths: a
 *       Mutation, so on the real path the codec re-encodes the message;
 *   <li>{@code bench_reply}: ends the request path with a local reply ({@code unauthorized}): the way {@code
 *       FilterChainBenchmark} closes an exchange without an upstream.
 * </ul>
 *
 * Each instance counts its calls, so tests can check that a benchmark ran what it claims. Not thread-safe, like
 * every filter instance (the host makes one per event loop).
 */
public final class BenchFilters {
  private BenchFilters() {}

  /** A filter that counts its calls; the per-kind behaviour is in {@link #request} and {@link #response}. */
  public abstract static class Counting implements Filter {
    private long requests;
    private long responses;

    @Override
    public final FilterStatus onRequest(FilterContext context) {
      requests++;
      return request(context);
    }

    @Override
    public final FilterStatus onResponse(FilterContext context) {
      responses++;
      return response(context);
    }

    abstract FilterStatus request(FilterContext context);

    FilterStatus response(FilterContext context) {
      return FilterStatus.CONTINUE;
    }

    /** Calls of {@link #onRequest} so far. */
    public long requests() {
      return requests;
    }

    /** Calls of {@link #onResponse} so far. */
    public long responses() {
      return responses;
    }
  }

  /** {@code bench_noop}. */
  public static final class NoopFactory implements FilterFactory {
    @Override
    public String name() {
      return "bench_noop";
    }

    @Override
    public Filter create(FilterConfig config) {
      return new Counting() {
        @Override
        FilterStatus request(FilterContext context) {
          return FilterStatus.CONTINUE;
        }
      };
    }
  }

  /** {@code bench_read}: {@code key}. */
  public static final class ReadFactory implements FilterFactory {
    @Override
    public String name() {
      return "bench_read";
    }

    @Override
    public Filter create(FilterConfig config) {
      String key = setting(config, "key", "x-user");
      return new Counting() {
        /** Keeps the read from being optimized away. */
        private int seen;

        @Override
        FilterStatus request(FilterContext context) {
          return read(context);
        }

        @Override
        FilterStatus response(FilterContext context) {
          return read(context);
        }

        private FilterStatus read(FilterContext context) {
          if (context.get(key) != null) {
            seen++;
          }
          return FilterStatus.CONTINUE;
        }

        @Override
        public String toString() {
          return "bench_read(" + key + ", seen " + seen + ")";
        }
      };
    }
  }

  /** {@code bench_write}: {@code key}, {@code value}. */
  public static final class WriteFactory implements FilterFactory {
    @Override
    public String name() {
      return "bench_write";
    }

    @Override
    public Filter create(FilterConfig config) {
      String key = setting(config, "key", "x-bench");
      String value = setting(config, "value", "1");
      return new Counting() {
        @Override
        FilterStatus request(FilterContext context) {
          context.set(key, value);
          return FilterStatus.CONTINUE;
        }

        @Override
        FilterStatus response(FilterContext context) {
          context.set(key, value);
          return FilterStatus.CONTINUE;
        }
      };
    }
  }

  /** {@code bench_reply}: answers every request locally with {@link ErrorType#UNAUTHORIZED}. */
  public static final class ReplyFactory implements FilterFactory {
    /** The reason every reply carries. */
    public static final String MESSAGE = "bench";

    @Override
    public String name() {
      return "bench_reply";
    }

    @Override
    public Filter create(FilterConfig config) {
      return new Counting() {
        @Override
        FilterStatus request(FilterContext context) {
          return context.reply(ErrorType.UNAUTHORIZED, MESSAGE);
        }
      };
    }
  }

  private static String setting(FilterConfig config, String name, String fallback) {
    Map<String, Object> settings = config.settings();
    for (String key : settings.keySet()) {
      if (!key.equals("key") && !key.equals("value")) {
        throw new IllegalArgumentException("unknown setting '" + key + "' (known: key, value)");
      }
    }
    Object value = settings.get(name);
    return value == null ? fallback : String.valueOf(value);
  }
}
