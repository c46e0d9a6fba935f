package io.spar.test.orm;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import java.math.BigDecimal;

/** A purchase whose id, the distribution column, comes from a sequence Hibernate reads. */
@Entity
@Table(name = "orm_purchases")
public class Purchase {
  @Id
  @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "purchases")
  @SequenceGenerator(name = "purchases", sequenceName = "orm_purchase_ids", allocationSize = 1)
  private Long id;

  @Column(name = "customer_id")
  private Long customerId;

  private BigDecimal amount;

  protected Purchase() {
  }

  Purchase(Long customerId, BigDecimal amount) {
    this.customerId = customerId;
    this.amount = amount;
  }

  Long id() {
    return id;
  }

  BigDecimal amount() {
    return amount;
  }

  void amount(BigDecimal value) {
    this.amount = value;
  }
}
