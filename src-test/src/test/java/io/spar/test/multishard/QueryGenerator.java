package io.spar.test.multishard;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded random generator of SELECTs over the {@link ShopFixture} tables: expressions of every
 * column type, casts, NULLs, arrays, FILTER, grouping sets, windows with frames, DISTINCT ON,
 * LATERAL, subqueries, set operations, joins (co-located, not co-located, with the local
 * table) and ORDER BY with LIMIT.
 *
 * <p>Every query has one right answer: LIMIT comes with an ORDER BY over every output column,
 * window and aggregate orderings end with a unique key, and DISTINCT ON orders by a key.
 */
final class QueryGenerator {
  /** A table of the fixture: name, alias, unique key and columns by type. */
  private record Table(String name, String alias, String key, List<String> numbers,
      List<String> texts, List<String> dates, List<String> booleans, List<String> arrays) {
    String column(List<String> of) {
      return alias + "." + of.get(0);
    }
  }

  private static final Table ORDERS = new Table("ms_orders", "o", "order_id",
      List.of("amount", "qty", "price", "order_id", "customer_id"), List.of("status", "note"),
      List.of("ordered_on", "ordered_at"), List.of("paid"), List.of("tags"));
  private static final Table CUSTOMERS = new Table("ms_customers", "c", "customer_id",
      List.of("score", "customer_id"), List.of("name", "country"), List.of("signup"),
      List.of("vip"), List.of());
  private static final Table EVENTS = new Table("ms_events", "e", "event_id",
      List.of("event_id", "customer_id"), List.of("kind"), List.of("happened_at"), List.of(),
      List.of("payload"));

  private final Random random;
  /** The tables of the query being generated, with the columns they offer. */
  private List<Table> scope;

  QueryGenerator(long seed) {
    this.random = new Random(seed);
  }

  /** Returns the next query. */
  String next() {
    int shape = random.nextInt(100);
    if (shape < 8) {
      return setOperation();
    }
    return select(shape);
  }

  private String select(int shape) {
    StringBuilder from = new StringBuilder();
    scope = new ArrayList<>();
    int joins = random.nextInt(100);
    Table first = pick(ORDERS, ORDERS, CUSTOMERS, EVENTS);
    scope.add(first);
    from.append(first.name()).append(' ').append(first.alias());
    if (joins < 12 && first != EVENTS) {
      Table other = first == ORDERS ? CUSTOMERS : ORDERS;
      scope.add(other);
      from.append(random.nextBoolean() ? " JOIN " : " LEFT JOIN ").append(other.name())
          .append(' ').append(other.alias()).append(" ON ").append(other.alias())
          .append(".customer_id = ").append(first.alias()).append(".customer_id");
    } else if (joins < 18) {
      Table other = first == EVENTS ? ORDERS : EVENTS;
      scope.add(other);
      from.append(" JOIN ").append(other.name()).append(' ').append(other.alias())
          .append(" ON ").append(other.alias()).append(".customer_id = ")
          .append(first.alias()).append(".customer_id AND ").append(other.alias()).append('.')
          .append(other.key()).append(" % 7 = 1");
    } else if (joins < 24 && first == CUSTOMERS) {
      from.append(" LEFT JOIN ms_regions r ON r.country = c.country");
    } else if (joins < 30 && first == ORDERS) {
      from.append(random.nextBoolean() ? ", LATERAL unnest(o.tags) AS t(tag)"
          : " CROSS JOIN LATERAL (SELECT count(*) AS n FROM ms_customers c2"
              + " WHERE c2.customer_id = o.customer_id) AS l");
    }
    String where = random.nextInt(3) == 0 ? "" : " WHERE " + predicate(2);
    if (shape < 40) {
      return aggregate(from, where);
    }
    if (shape < 50) {
      return distinctOn(from, where);
    }
    if (shape < 62) {
      return window(from, where);
    }
    return rows(from, where, shape < 70);
  }

  private String rows(StringBuilder from, String where, boolean distinct) {
    int count = 1 + random.nextInt(4);
    List<String> items = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      items.add(expression(2) + " AS c" + i);
    }
    if (random.nextInt(5) == 0) {
      items.add("(SELECT count(*) FROM ms_events e2 WHERE e2.customer_id = "
          + scope.get(0).alias() + ".customer_id) AS sub");
    }
    if (random.nextInt(6) == 0) {
      where = (where.isEmpty() ? " WHERE " : where + " AND ") + scope.get(0).alias()
          + ".customer_id IN (SELECT customer_id FROM ms_customers WHERE " + (random.nextBoolean()
          ? "vip" : "score > 0") + ")";
    }
    String select = "SELECT " + (distinct ? "DISTINCT " : "") + String.join(", ", items)
        + " FROM " + from + where;
    return limited(select, items.size());
  }

  private String aggregate(StringBuilder from, String where) {
    List<String> groups = new ArrayList<>();
    int groupCount = random.nextInt(3);
    for (int i = 0; i < groupCount; i++) {
      groups.add(groupable());
    }
    List<String> items = new ArrayList<>();
    for (int i = 0; i < groups.size(); i++) {
      items.add(groups.get(i) + " AS g" + i);
    }
    int aggregates = 1 + random.nextInt(3);
    for (int i = 0; i < aggregates; i++) {
      items.add(aggregateCall() + " AS a" + i);
    }
    StringBuilder sql = new StringBuilder("SELECT ").append(String.join(", ", items))
        .append(" FROM ").append(from).append(where);
    if (!groups.isEmpty()) {
      sql.append(" GROUP BY ");
      int kind = random.nextInt(10);
      if (kind == 0) {
        sql.append("ROLLUP (").append(String.join(", ", groups)).append(')');
      } else if (kind == 1) {
        sql.append("CUBE (").append(String.join(", ", groups)).append(')');
      } else if (kind == 2) {
        sql.append("GROUPING SETS ((").append(String.join(", ", groups)).append("), ())");
      } else {
        sql.append(String.join(", ", groups));
      }
    }
    if (random.nextInt(4) == 0) {
      sql.append(" HAVING count(*) > ").append(random.nextInt(5));
    }
    return limited(sql.toString(), items.size());
  }

  private String distinctOn(StringBuilder from, String where) {
    String on = groupable();
    Table table = scope.get(0);
    String key = table.alias() + "." + table.key();
    if (scope.size() > 1 || from.indexOf("unnest") >= 0) {
      // The first table's key is no key of a join; order by every key, output the first.
      return "SELECT DISTINCT ON (" + on + ") " + on + " AS d, " + key + " AS k, "
          + expression(1) + " AS v FROM " + from + where + " ORDER BY " + on + ", " + key()
          + (from.indexOf("unnest") >= 0 ? ", t.tag" : "") + ", 3";
    }
    return "SELECT DISTINCT ON (" + on + ") " + on + " AS d, " + key + " AS k, "
        + expression(1) + " AS v FROM " + from + where + " ORDER BY " + on + ", " + key
        + (random.nextBoolean() ? " DESC" : "") + ", 3";
  }

  private String window(StringBuilder from, String where) {
    Table table = scope.get(0);
    String key = key() + (from.indexOf("unnest") >= 0 ? ", t.tag" : "");
    String partition = random.nextBoolean() ? "PARTITION BY " + groupable() + " " : "";
    String function = pick("row_number()", "rank()", "sum(" + number() + ")",
        "count(*)", "max(" + text() + ")", "lag(" + number() + ")", "avg(" + number() + ")");
    String frame = function.startsWith("sum") || function.startsWith("count")
        || function.startsWith("max") || function.startsWith("avg") ? pick("",
        " ROWS BETWEEN 1 PRECEDING AND CURRENT ROW", " ROWS BETWEEN UNBOUNDED PRECEDING AND"
            + " 1 FOLLOWING", " RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW") : "";
    String select = "SELECT " + table.alias() + "." + table.key() + " AS k, " + function
        + " OVER (" + partition + "ORDER BY " + key + frame + ") AS w, " + expression(1)
        + " AS v FROM " + from + where;
    return limited(select, 3);
  }

  private String setOperation() {
    String operator = pick("UNION", "UNION ALL", "EXCEPT", "INTERSECT", "EXCEPT ALL");
    String left = pick("SELECT customer_id AS id, status AS t FROM ms_orders WHERE qty > 5",
        "SELECT customer_id, name FROM ms_customers", "SELECT customer_id, kind FROM ms_events");
    String right = pick("SELECT customer_id, country FROM ms_customers WHERE vip",
        "SELECT customer_id, kind FROM ms_events WHERE event_id % 3 = 0",
        "SELECT customer_id, status FROM ms_orders WHERE paid");
    String sql = left + " " + operator + " " + right;
    return random.nextBoolean() ? sql + " ORDER BY 1, 2 NULLS FIRST LIMIT " + (1 + random.nextInt(20))
        : sql;
  }

  private String limited(String select, int columns) {
    if (random.nextInt(3) != 0) {
      return select;
    }
    StringBuilder order = new StringBuilder(" ORDER BY ");
    for (int i = 1; i <= columns; i++) {
      order.append(i == 1 ? "" : ", ").append(i).append(random.nextBoolean() ? " DESC" : "")
          .append(random.nextBoolean() ? " NULLS FIRST" : "");
    }
    return select + order + " LIMIT " + (1 + random.nextInt(25))
        + (random.nextBoolean() ? " OFFSET " + random.nextInt(10) : "");
  }

  private String aggregateCall() {
    String filter = random.nextInt(6) == 0 ? " FILTER (WHERE " + predicate(1) + ")" : "";
    String key = key();
    return switch (random.nextInt(16)) {
      case 0 -> "count(*)" + filter;
      case 1 -> "count(" + expression(1) + ")" + filter;
      case 2, 3 -> "sum(" + number() + ")" + filter;
      case 4, 5 -> "avg(" + number() + ")" + filter;
      case 6 -> "min(" + pick(number(), text(), date()) + ")" + filter;
      case 7 -> "max(" + pick(number(), text(), date()) + ")" + filter;
      case 8 -> "count(DISTINCT " + text() + ")";
      case 9 -> "string_agg(" + text() + ", ',' ORDER BY " + text() + ", " + key + ")";
      case 10 -> "array_agg(" + number() + " ORDER BY " + key + ")" + filter;
      case 11 -> pick("stddev", "variance", "stddev_pop", "var_samp") + "(" + integer() + ")";
      case 12 -> pick("bool_and", "bool_or") + "(" + bool() + ")" + filter;
      case 13 -> "percentile_cont(0.5) WITHIN GROUP (ORDER BY " + integer() + ")";
      case 14 -> "count(*) * 2 + sum(" + integer() + ")";
      default -> "max(" + number() + ") - min(" + number() + ")";
    };
  }

  /** An expression good for GROUP BY and DISTINCT ON. */
  private String groupable() {
    return switch (random.nextInt(7)) {
      case 0 -> text();
      case 1 -> bool();
      case 2 -> "extract(" + pick("dow", "month", "isodow", "quarter") + " FROM " + date() + ")";
      case 3 -> integer() + " % " + (2 + random.nextInt(4));
      case 4 -> "date_trunc('" + pick("month", "week") + "', " + date() + ")";
      case 5 -> scope.get(0).alias() + ".customer_id";
      default -> "coalesce(" + text() + ", '-')";
    };
  }

  private String expression(int depth) {
    return switch (random.nextInt(5)) {
      case 0 -> number(depth);
      case 1 -> text();
      case 2 -> date();
      case 3 -> bool();
      default -> array();
    };
  }

  private String predicate(int depth) {
    if (depth > 0 && random.nextInt(3) == 0) {
      return "(" + predicate(depth - 1) + pick(" AND ", " OR ") + predicate(depth - 1) + ")";
    }
    return switch (random.nextInt(10)) {
      case 0 -> number() + pick(" > ", " <= ", " <> ", " = ") + (random.nextInt(200) - 20);
      case 1 -> expression(1) + pick(" IS NULL", " IS NOT NULL");
      case 2 -> text() + pick(" LIKE 'n%'", " >= 'm'", " IN ('new', 'paid', 'NL', 'view')");
      case 3 -> bool();
      case 4 -> "NOT " + bool();
      case 5 -> date() + " > DATE '2024-0" + (1 + random.nextInt(9)) + "-15'";
      case 6 -> scope.get(0).alias() + ".customer_id" + pick(" = " + random.nextInt(60),
          " < " + random.nextInt(60), " IN (3, 8, " + random.nextInt(60) + ")");
      case 7 -> arrays().isEmpty() ? "true" : arrays().get(0).endsWith("payload")
          ? random.nextInt(9) + " = ANY (" + arrays().get(0) + ")"
          : "'" + pick("x", "y", "gift") + "' = ANY (" + arrays().get(0) + ")";
      case 8 -> integer() + " BETWEEN " + random.nextInt(10) + " AND " + (10 + random.nextInt(50));
      default -> number() + " IS DISTINCT FROM " + random.nextInt(10);
    };
  }

  private String number() {
    return number(1);
  }

  private String number(int depth) {
    if (depth > 0 && random.nextInt(3) == 0) {
      return switch (random.nextInt(8)) {
        case 0 -> "(" + number(depth - 1) + " + " + number(depth - 1) + ")";
        case 1 -> "(" + number(depth - 1) + " * " + (random.nextInt(5) - 2) + ")";
        case 2 -> "coalesce(" + number(depth - 1) + ", 0)";
        case 3 -> "(" + number(depth - 1) + ")::" + pick("int", "bigint", "numeric(8,1)",
            "float8");
        case 4 -> "round(" + numeric() + ", " + random.nextInt(3) + ")";
        case 5 -> "abs(" + number(depth - 1) + ")";
        case 6 -> "(" + number(depth - 1) + " / NULLIF(" + integer() + ", 0))";
        default -> "CASE WHEN " + predicate(0) + " THEN " + number(depth - 1) + " END";
      };
    }
    List<String> columns = new ArrayList<>();
    for (Table each : scope) {
      each.numbers().forEach(c -> columns.add(each.alias() + "." + c));
    }
    return columns.get(random.nextInt(columns.size()));
  }

  private String numeric() {
    for (Table each : scope) {
      if (each == ORDERS) {
        return "o.amount";
      }
      if (each == CUSTOMERS) {
        return "c.score";
      }
    }
    return "e.event_id::numeric / 3";
  }

  private String integer() {
    List<String> columns = new ArrayList<>();
    for (Table each : scope) {
      if (each == ORDERS) {
        columns.add("o.qty");
      }
      columns.add(each.alias() + ".customer_id");
      columns.add(each.alias() + "." + each.key());
    }
    return columns.get(random.nextInt(columns.size()));
  }

  private String text() {
    List<String> columns = new ArrayList<>();
    for (Table each : scope) {
      each.texts().forEach(c -> columns.add(each.alias() + "." + c));
    }
    String column = columns.get(random.nextInt(columns.size()));
    return switch (random.nextInt(6)) {
      case 0 -> "upper(" + column + ")";
      case 1 -> column + " || '-'";
      case 2 -> "substr(" + column + ", 1, 3)";
      default -> column;
    };
  }

  private String date() {
    List<String> columns = new ArrayList<>();
    for (Table each : scope) {
      each.dates().forEach(c -> columns.add(each.alias() + "." + c));
    }
    String column = columns.get(random.nextInt(columns.size()));
    return random.nextInt(4) == 0 ? "(" + column + " + interval '3 days')" : column;
  }

  private String bool() {
    List<String> columns = new ArrayList<>();
    for (Table each : scope) {
      each.booleans().forEach(c -> columns.add(each.alias() + "." + c));
    }
    if (columns.isEmpty() || random.nextInt(3) == 0) {
      return "(" + number() + " > " + random.nextInt(50) + ")";
    }
    return columns.get(random.nextInt(columns.size()));
  }

  private List<String> arrays() {
    List<String> columns = new ArrayList<>();
    for (Table each : scope) {
      each.arrays().forEach(c -> columns.add(each.alias() + "." + c));
    }
    return columns;
  }

  private String array() {
    List<String> columns = arrays();
    if (columns.isEmpty()) {
      return "ARRAY[" + integer() + ", " + random.nextInt(9) + "]";
    }
    String column = columns.get(random.nextInt(columns.size()));
    return switch (random.nextInt(4)) {
      case 0 -> "array_length(" + column + ", 1)";
      case 1 -> column + "[1]";
      case 2 -> "cardinality(" + column + ")";
      default -> column;
    };
  }

  /** Returns a unique key of the rows of the FROM clause: every table's own key. */
  private String key() {
    StringBuilder key = new StringBuilder();
    for (Table each : scope) {
      key.append(key.length() == 0 ? "" : ", ").append(each.alias()).append('.')
          .append(each.key());
    }
    return key.toString();
  }

  @SafeVarargs
  private <T> T pick(T... choices) {
    return choices[random.nextInt(choices.length)];
  }
}
