package io.spar.test.orm;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A customer whose id, the distribution column, comes from an IDENTITY column. */
@Entity
@Table(name = "orm_customers")
public class Customer {
  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @Column(nullable = false)
  private String name;

  private int visits;

  protected Customer() {
  }

  Customer(String name) {
    this.name = name;
  }

  Long id() {
    return id;
  }

  String name() {
    return name;
  }

  int visits() {
    return visits;
  }

  void visit() {
    visits++;
  }
}
