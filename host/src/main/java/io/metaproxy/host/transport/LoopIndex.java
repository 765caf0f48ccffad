package io.metaproxy.host.transport;

import io.netty.util.concurrent.FastThreadLocal;

/** The index of the event loop the current thread runs, bound once when the loop starts. */
public final class LoopIndex {
  private static final FastThreadLocal<int[]> INDEX = new FastThreadLocal<>();

  private LoopIndex() {}

  static void bind(int index) {
    INDEX.set(new int[] {index});
  }

  /** This thread's loop index; 0 off the event loops (tools such as validate build snapshots with one slot). */
  public static int current() {
    int[] index = INDEX.getIfExists();
    return index == null ? 0 : index[0];
  }
}
