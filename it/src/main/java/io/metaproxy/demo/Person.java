package io.metaproxy.demo;

import java.io.Serial;
import java.io.Serializable;

/** The POJO argument of {@link GreetingService#greet}. A JavaBean because Hessian2 serializes fields. */
public class Person implements Serializable {
  @Serial private static final long serialVersionUID = 1L;

  private String name;
  private String language;

  /** For Hessian2. */
  public Person() {}

  public Person(String name, String language) {
    this.name = name;
    this.language = language;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  /** An ISO 639-1 code such as {@code en}, {@code fr}, {@code de}; anything else is greeted in English. */
  public String getLanguage() {
    return language;
  }

  public void setLanguage(String language) {
    this.language = language;
  }

  @Override
  public String toString() {
    return "Person(" + name + ", " + language + ")";
  }
}
