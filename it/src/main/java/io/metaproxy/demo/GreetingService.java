package io.metaproxy.demo;

/**
 * The sample RPC interface. Every method answers with a {@link Greeting} that says which backend served the call
 * and which request attachments it saw, so a caller can tell where the proxy sent it and what the proxy added.
 */
public interface GreetingService {

  /** Says hello to {@code name}. */
  Greeting sayHello(String name);

  /** Says goodbye to {@code name}; the demo config routes it to greet-v2. */
  Greeting sayGoodbye(String name);

  /** Greets a person in their language: a call with a POJO argument, which the proxy forwards without decoding. */
  Greeting greet(Person person);
}
