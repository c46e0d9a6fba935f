package io.spar.planner.exec;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * PostgreSQL's numeric arithmetic where it differs from Java's: the result scale of division
 * ({@code select_div_scale} in {@code src/backend/utils/adt/numeric.c}) and the
 * {@code stddev}/{@code variance} aggregates ({@code numeric_stddev_internal}), so that
 * averages and deviations computed at the coordinator equal PostgreSQL's digit for digit.
 *
 * <p>Public because generated Enumerable code calls these methods.
 */
public final class PgNumeric {
  /** NUMERIC_MIN_SIG_DIGITS: significant digits a quotient has at least. */
  private static final int MIN_SIG_DIGITS = 16;

  /** DEC_DIGITS: decimal digits per base-10000 digit of PostgreSQL's representation. */
  private static final int DEC_DIGITS = 4;

  /** NUMERIC_MAX_DISPLAY_SCALE. */
  private static final int MAX_DISPLAY_SCALE = 1000;

  private static final BigInteger BASE = BigInteger.valueOf(10_000);

  private PgNumeric() {
  }

  /**
   * Returns {@code dividend / divisor} as PostgreSQL's {@code numeric_div} computes it: exact
   * quotient rounded half away from zero at the scale {@code select_div_scale} chooses; null if
   * either is null.
   *
   * @throws ArithmeticException "division by zero" if {@code divisor} is zero
   */
  public static BigDecimal divide(BigDecimal dividend, BigDecimal divisor) {
    if (dividend == null || divisor == null) {
      return null;
    }
    if (divisor.signum() == 0) {
      throw new ArithmeticException("division by zero");
    }
    return dividend.divide(divisor, divisionScale(dividend, divisor), RoundingMode.HALF_UP);
  }

  /**
   * Returns the result scale PostgreSQL gives {@code var1 / var2}: enough for 16 significant
   * digits given the estimated weight of the quotient in base-10000 digits, and no less than
   * either input's display scale.
   */
  static int divisionScale(BigDecimal var1, BigDecimal var2) {
    long[] first1 = weightAndFirstDigit(var1);
    long[] first2 = weightAndFirstDigit(var2);
    long qweight = first1[0] - first2[0];
    // PostgreSQL cannot tell with equal first digits and assumes var1 < var2.
    if (first1[1] <= first2[1]) {
      qweight--;
    }
    long rscale = MIN_SIG_DIGITS - qweight * DEC_DIGITS;
    rscale = Math.max(rscale, displayScale(var1));
    rscale = Math.max(rscale, displayScale(var2));
    rscale = Math.max(rscale, 0);
    return (int) Math.min(rscale, MAX_DISPLAY_SCALE);
  }

  /**
   * Returns the weight (power of 10000 of the first nonzero digit) and that digit of
   * {@code value} in PostgreSQL's base-10000 representation, whose digit groups are aligned
   * at the decimal point; {0, 0} for zero, as PostgreSQL uses.
   */
  static long[] weightAndFirstDigit(BigDecimal value) {
    if (value.signum() == 0) {
      return new long[] {0, 0};
    }
    BigDecimal abs = value.abs();
    int scale = abs.scale();
    // Align the fraction to whole base-10000 groups: scale becomes a multiple of 4.
    int aligned = Math.floorDiv(scale + DEC_DIGITS - 1, DEC_DIGITS) * DEC_DIGITS;
    BigInteger digits = abs.movePointRight(aligned).toBigIntegerExact();
    int groups = (digits.toString().length() + DEC_DIGITS - 1) / DEC_DIGITS;
    BigInteger first = digits.divide(BASE.pow(groups - 1));
    return new long[] {groups - 1L - aligned / DEC_DIGITS, first.longValueExact()};
  }

  private static int displayScale(BigDecimal value) {
    return Math.max(value.scale(), 0);
  }

  /**
   * Returns PostgreSQL's {@code var_samp}/{@code var_pop}/{@code stddev_samp}/
   * {@code stddev_pop} of exact values from their sum, sum of squares and count: null for no
   * rows (or one row of a sample), 0 when rounding makes the numerator non-positive.
   *
   * @param sample whether to divide by N·(N−1) rather than N·N
   * @param root whether to return the square root (standard deviation)
   */
  public static BigDecimal variance(BigDecimal sumX, BigDecimal sumX2, long count,
      boolean sample, boolean root) {
    if (count == 0 || (sample && count <= 1) || sumX == null || sumX2 == null) {
      return null;
    }
    BigDecimal n = BigDecimal.valueOf(count);
    BigDecimal numerator = n.multiply(sumX2).subtract(sumX.multiply(sumX));
    if (numerator.signum() <= 0) {
      return BigDecimal.ZERO;
    }
    BigDecimal denominator = n.multiply(sample ? n.subtract(BigDecimal.ONE) : n);
    int rscale = divisionScale(numerator, denominator);
    BigDecimal result = numerator.divide(denominator, rscale, RoundingMode.HALF_UP);
    return root ? sqrt(result, rscale) : result;
  }

  /** Returns the square root of {@code value} rounded half up to {@code scale} digits. */
  private static BigDecimal sqrt(BigDecimal value, int scale) {
    int integerDigits = Math.max(value.precision() - value.scale(), 1);
    // Extra digits make double rounding (here, then at setScale) practically impossible.
    MathContext context = new MathContext(integerDigits / 2 + scale + 10, RoundingMode.DOWN);
    return value.sqrt(context).setScale(scale, RoundingMode.HALF_UP);
  }
}
