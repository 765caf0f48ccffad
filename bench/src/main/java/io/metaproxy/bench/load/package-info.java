/**
 * The load generator: N connections, each with its own request ids, driven either closed-loop (a fixed number of
 * requests in flight per connection, a new one sent as soon as one is answered: maximum throughput) or open-loop (a
 * fixed total rate, requests sent at intended times whatever the responses do).
 *
 * <p><b>Coordinated omission.</b> In open loop every request has an intended send time on a fixed schedule; its
 * latency is measured from that intended time, not from when it actually left. When the system under test stalls and
 * the generator falls behind (its per-connection in-flight cap is reached, or its own event loop is late), the requests
 * it could not send on time still count the waiting they would have seen, as in wrk2. The latency from the actual send
 * is kept too ("raw"), to show how much the correction matters.
 *
 * <p><b>Threads.</b> Each event loop owns a {@link io.metaproxy.bench.load.LoopStats} (histograms and counters) and the
 * connections registered on it; everything is recorded on that loop without locks or atomics. The controlling thread
 * reads and resets the stats only through tasks submitted to the loops.
 */
package io.metaproxy.bench.load;
