package io.metaproxy.codec.dubbo;

import java.io.Serializable;
import java.math.BigDecimal;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An application's service and its argument types, as a real Dubbo client and server see them. The proxy's codec
 * never loads these classes: it only skips their Hessian2 bytes.
 */
final class TestModel {
  private TestModel() {}

  /** The service the tests call. */
  interface GreetingService {
    Greeting greet(Person person, List<Object> tags, Map<String, Object> extras, int times);

    void notify(String event);

    String refuse(String reason);
  }

  enum Mood { HAPPY, GRUMPY }

  static final class Address implements Serializable {
    private static final long serialVersionUID = 1L;
    String city;
    String street;

    Address() {}

    Address(String city, String street) {
      this.city = city;
      this.street = street;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Address a && Objects.equals(city, a.city) && Objects.equals(street, a.street);
    }

    @Override
    public int hashCode() {
      return Objects.hash(city, street);
    }
  }

  static final class Person implements Serializable {
    private static final long serialVersionUID = 1L;
    String name;
    int age;
    long id;
    double height;
    boolean active;
    Date born;
    byte[] photo;
    Address home;
    Address work;
    List<Person> friends;
    Map<String, Address> places;
    Mood mood;
    BigDecimal balance;
    int[] lucky;
    String[] aliases;

    @Override
    public boolean equals(Object o) {
      return o instanceof Person p && Objects.equals(name, p.name) && age == p.age && id == p.id
          && height == p.height && active == p.active && Objects.equals(born, p.born)
          && java.util.Arrays.equals(photo, p.photo) && Objects.equals(home, p.home) && Objects.equals(work, p.work)
          && Objects.equals(friends, p.friends) && Objects.equals(places, p.places) && mood == p.mood
          && Objects.equals(balance, p.balance) && java.util.Arrays.equals(lucky, p.lucky)
          && java.util.Arrays.equals(aliases, p.aliases);
    }

    @Override
    public int hashCode() {
      return Objects.hash(name, age, id);
    }

    @Override
    public String toString() {
      return "Person{" + name + "}";
    }
  }

  static final class Greeting implements Serializable {
    private static final long serialVersionUID = 1L;
    String message;
    Person to;

    Greeting() {}

    Greeting(String message, Person to) {
      this.message = message;
      this.to = to;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Greeting g && Objects.equals(message, g.message) && Objects.equals(to, g.to);
    }

    @Override
    public int hashCode() {
      return Objects.hash(message);
    }
  }
}
