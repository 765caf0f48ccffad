package io.metaproxy.script.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The guard's state machine against a watchdog that never sleeps: calls with no budget at all are expired as soon as
 * the watchdog has seen them twice, often while the calling thread is ending them, which is where an interrupt could
 * slip past the call it was meant for.
 */
class CallGuardTest {
  private static final int CALLS = 200_000;

  @Test
  void anInterruptNeverOutlivesTheCallItWasSentFor() throws Exception {
    CallGuard guard = new CallGuard();
    AtomicBoolean done = new AtomicBoolean();
    Thread watchdog =
        Thread.ofPlatform()
            .name("test-watchdog")
            .start(
                () -> {
                  while (!done.get()) {
                    guard.check(System.nanoTime());
                  }
                });
    int stopped = 0;
    int leaked = 0;
    try {
      for (int i = 0; i < CALLS; i++) {
        guard.enter(0);
        for (int spin = i % 64; spin > 0; spin--) {
          Thread.onSpinWait(); // calls of varying length, so the watchdog lands everywhere in them
        }
        if (guard.exit()) {
          stopped++;
        }
        if (Thread.interrupted()) {
          leaked++;
        }
      }
    } finally {
      done.set(true);
      watchdog.join();
    }
    assertThat(leaked).as("interrupts still pending after exit()").isZero();
    assertThat(stopped).as("calls the watchdog stopped (else this test tests nothing)").isPositive();
  }

  @Test
  void aCallIsTimedFromWhenTheWatchdogFirstSeesItAndNeverStoppedBeforeItsBudget() {
    CallGuard guard = new CallGuard();
    guard.enter(1_000);
    guard.check(5_000); // first sight: timing starts here, however long ago the call started
    guard.check(5_999);
    assertThat(guard.exit()).as("999ns into a budget of 1000ns").isFalse();

    guard.enter(1_000);
    guard.check(10_000);
    guard.check(11_000);
    assertThat(guard.exit()).as("stopped once the budget has passed").isTrue();
    assertThat(Thread.interrupted()).as("the interrupt was cleared by exit()").isFalse();
  }
}
