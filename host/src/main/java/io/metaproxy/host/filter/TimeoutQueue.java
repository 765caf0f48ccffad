package io.metaproxy.host.filter;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One event loop's request deadlines, replacing a scheduled task per request (which cost a task, a lambda and a
 * priority-queue insert and removal each, 11% of the proxy's samples in profiles). Requests with the same timeout
 * expire in the order they started, so each distinct timeout is a FIFO lane, an intrusive doubly linked list through
 * the exchanges: add and remove are O(1) and allocate nothing. One task per loop, scheduled at the earliest head
 * deadline, expires what is due and schedules itself for the next. Loop thread only.
 */
final class TimeoutQueue implements Runnable {
  private static final FastThreadLocal<TimeoutQueue> CURRENT = new FastThreadLocal<>();

  /** One timeout value's requests, oldest first. */
  static final class Lane {
    final long timeoutNanos;
    Exchange head;
    Exchange tail;

    Lane(long timeoutNanos) {
      this.timeoutNanos = timeoutNanos;
    }
  }

  private final EventLoop loop;
  private Lane[] lanes = new Lane[0];
  private ScheduledFuture<?> check;
  private long checkAt;

  private TimeoutQueue(EventLoop loop) {
    this.loop = loop;
  }

  /** The queue of the loop running the caller. */
  static TimeoutQueue of(EventLoop loop) {
    TimeoutQueue queue = CURRENT.getIfExists();
    if (queue == null) {
      queue = new TimeoutQueue(loop);
      CURRENT.set(queue);
    }
    return queue;
  }

  /** Starts {@code exchange}'s deadline, {@code timeoutNanos} from now. */
  void add(Exchange exchange, long timeoutNanos) {
    Lane lane = lane(timeoutNanos);
    long deadline = System.nanoTime() + timeoutNanos;
    exchange.deadlineNanos = deadline;
    exchange.deadlineLane = lane;
    exchange.deadlinePrev = lane.tail;
    exchange.deadlineNext = null;
    if (lane.tail == null) {
      lane.head = exchange;
    } else {
      lane.tail.deadlineNext = exchange;
    }
    lane.tail = exchange;
    if (check == null || deadline - checkAt < 0) {
      schedule(deadline);
    }
  }

  /** Stops {@code exchange}'s deadline; a no-op when it has none. */
  void remove(Exchange exchange) {
    Lane lane = exchange.deadlineLane;
    if (lane == null) {
      return;
    }
    if (exchange.deadlinePrev == null) {
      lane.head = exchange.deadlineNext;
    } else {
      exchange.deadlinePrev.deadlineNext = exchange.deadlineNext;
    }
    if (exchange.deadlineNext == null) {
      lane.tail = exchange.deadlinePrev;
    } else {
      exchange.deadlineNext.deadlinePrev = exchange.deadlinePrev;
    }
    exchange.deadlineLane = null;
    exchange.deadlinePrev = null;
    exchange.deadlineNext = null;
  }

  private Lane lane(long timeoutNanos) {
    for (Lane lane : lanes) {
      if (lane.timeoutNanos == timeoutNanos) {
        return lane;
      }
    }
    Lane[] grown = java.util.Arrays.copyOf(lanes, lanes.length + 1);
    grown[lanes.length] = new Lane(timeoutNanos);
    lanes = grown;
    return grown[lanes.length - 1];
  }

  private void schedule(long deadline) {
    if (check != null) {
      check.cancel(false);
    }
    checkAt = deadline;
    check = loop.schedule(this, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  /** Expires every due deadline, then waits for the earliest remaining one. */
  @Override
  public void run() {
    check = null;
    long now = System.nanoTime();
    for (Lane lane : lanes) {
      Exchange due;
      while ((due = lane.head) != null && due.deadlineNanos - now <= 0) {
        remove(due);
        due.onTimeout();
      }
    }
    long earliest = 0;
    boolean any = false;
    for (Lane lane : lanes) {
      if (lane.head != null && (!any || lane.head.deadlineNanos - earliest < 0)) {
        earliest = lane.head.deadlineNanos;
        any = true;
      }
    }
    // A retry re-added during expiry may have scheduled a later check than another lane's head needs.
    if (any && (check == null || earliest - checkAt < 0)) {
      schedule(earliest);
    }
  }
}
