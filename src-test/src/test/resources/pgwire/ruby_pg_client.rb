# Ruby's pg gem against a PostgreSQL server: Spar's port (tables distributed) or plain
# PostgreSQL.
#
# Usage: ruby ruby_pg_client.rb URL ITEMS SCHEMA_PREFIX distribute|plain
#
# ITEMS names a table and SCHEMA_PREFIX starts the names of the tenant schemas (tenant_a and
# tenant_b after it), so that the same script runs on plain tables of the coordinator beside
# the distributed ones. Prints one line per result, without those names, so that both
# servers' outputs compare line for line; a failed check raises and exits non-zero.
require 'pg'
require 'bigdecimal'

url, items, schema_prefix, mode = ARGV
distribute = mode == 'distribute'

def out(*parts)
  puts parts.map(&:to_s).join(' ')
  $stdout.flush
end

def check(condition, message)
  raise "check failed: #{message}" unless condition
end

def sqlstate(error)
  error.result.error_field(PG::PG_DIAG_SQLSTATE)
end

conn = PG.connect(url)
# Typed results, as applications configure them; the type map is read from pg_type.
conn.type_map_for_results = PG::BasicTypeMapForResults.new(conn)
out 'connected', conn.server_version >= 100000, conn.parameter_status('server_encoding'),
    conn.transaction_status == PG::PQTRANS_IDLE

distribute_table = lambda do |name, key|
  next unless distribute
  conn.exec_params('SELECT master_create_distributed_table($1, $2, \'hash\')', [name, key])
  conn.exec_params('SELECT master_create_worker_shards($1, 4, 2)', [name])
end

conn.exec("DROP TABLE IF EXISTS #{items}")
conn.exec("CREATE TABLE #{items} (k bigint PRIMARY KEY, name text NOT NULL, qty int," \
          ' price numeric(10,2), added date, tags text[])')
distribute_table.call(items, 'k')

# exec_params: the extended protocol with $n parameters, sent as text.
r = conn.exec_params("INSERT INTO #{items} VALUES ($1, $2, $3, $4, $5, $6)",
                     [1, "one \u00fc'\"\\", 3, '9.99', '2024-02-29', '{a,"b c"}'])
out 'exec_params insert', r.cmd_status, r.cmd_tuples
r = conn.exec_params("INSERT INTO #{items} (k, name, qty) VALUES ($1, $2, $3), ($4, $5, $6)",
                     [2, 'two', nil, 3, 'three', 30])
out 'exec_params two rows', r.cmd_tuples

# prepare and exec_prepared: a named statement, run again and again.
conn.prepare('insert_item',
             "INSERT INTO #{items} (k, name, qty, price) VALUES ($1, $2, $3, $4) RETURNING k, price")
returned = (10..19).map do |i|
  row = conn.exec_prepared('insert_item', [i, "item #{i}", i * 2, "#{i}.50"]).first
  check(row['k'].is_a?(Integer) && row['price'].is_a?(BigDecimal), "types #{row.inspect}")
  [row['k'], row['price'].to_s('F')]
end
out 'prepared inserts returning', returned.inspect

conn.prepare('item_by_key', "SELECT k, name, qty, price, added, tags FROM #{items} WHERE k = $1")
row = conn.exec_prepared('item_by_key', [1]).first
check(row['k'] == 1 && row['k'].is_a?(Integer), "k #{row['k'].inspect}")
check(row['qty'] == 3 && row['price'] == BigDecimal('9.99'), "values #{row.inspect}")
check(row['added'] == Date.new(2024, 2, 29), "date #{row['added'].inspect}")
check(row['tags'] == ['a', 'b c'], "array #{row['tags'].inspect}")
out 'prepared select', row['k'], row['name'].inspect, row['qty'], row['price'].to_s('F'),
    row['added'].iso8601, row['tags'].inspect
r = conn.exec_prepared('item_by_key', [2])
out 'prepared select null', r.ntuples, r.first['qty'].inspect, r.fields.inspect
out 'prepared select none', conn.exec_prepared('item_by_key', [999]).ntuples
r = conn.describe_prepared('item_by_key')
out 'describe', r.nparams, r.paramtype(0), (0...r.nfields).map { |i| [r.fname(i), r.ftype(i)] }.inspect

# A binary parameter and binary results.
r = conn.exec_params("SELECT k, qty FROM #{items} WHERE k = $1",
                     [{ value: [12].pack('q>'), type: 20, format: 1 }], 1)
out 'binary', r.fformat(0), r.getvalue(0, 0).inspect, r.getvalue(0, 1).inspect
r = conn.exec_params("SELECT k, name FROM #{items} WHERE k = ANY($1::bigint[]) ORDER BY k",
                     ['{1,3,12}'])
out 'any', r.values.inspect

# Transactions: rollback undoes, commit keeps.
conn.exec('BEGIN')
conn.exec_params("UPDATE #{items} SET qty = qty + $1 WHERE k = $2", [100, 1])
conn.exec_params("DELETE FROM #{items} WHERE k = $1", [10])
out 'status in transaction', conn.transaction_status == PG::PQTRANS_INTRANS,
    conn.exec("SELECT qty FROM #{items} WHERE k = 1").getvalue(0, 0)
conn.exec('ROLLBACK')
out 'after rollback', conn.exec("SELECT qty FROM #{items} WHERE k = 1").getvalue(0, 0),
    conn.exec("SELECT count(*) FROM #{items}").getvalue(0, 0)
conn.transaction do |c|
  c.exec_params("UPDATE #{items} SET qty = $1 WHERE k = $2", [7, 2])
end
out 'after commit', conn.exec("SELECT qty FROM #{items} WHERE k = 2").getvalue(0, 0)
begin
  conn.transaction do |c|
    c.exec_params("UPDATE #{items} SET qty = $1 WHERE k = $2", [8, 2])
    raise ArgumentError, 'undo'
  end
rescue ArgumentError
  out 'block rolled back', conn.exec("SELECT qty FROM #{items} WHERE k = 2").getvalue(0, 0)
end

# RETURNING of several rows (of several shards: no order is promised).
r = conn.exec_params("UPDATE #{items} SET price = coalesce(price, 0) + $1 WHERE k < $2 RETURNING k, price",
                     ['0.01', 12])
out 'update returning', r.cmd_tuples, r.values.map { |k, p| [k, p.to_s('F')] }.sort.inspect
r = conn.exec_params("DELETE FROM #{items} WHERE k IN ($1, $2) RETURNING name", [18, 19])
out 'delete returning', r.column_values(0).sort.inspect

# Errors: the SQLSTATE in the result's error field, the exception class that maps it.
begin
  conn.exec_params("INSERT INTO #{items} (k, name) VALUES ($1, $2)", [1, 'duplicate'])
  raise 'no unique violation'
rescue PG::UniqueViolation => e
  out 'error', sqlstate(e), e.class, e.result.error_field(PG::PG_DIAG_MESSAGE_PRIMARY).sub(items, 'ITEMS')
end
begin
  conn.exec_params("SELECT qty / $1::int FROM #{items} WHERE k = $2", [0, 1])
  raise 'no division by zero'
rescue PG::DivisionByZero => e
  out 'error', sqlstate(e), e.class
end
begin
  conn.exec('SELEC 1')
  raise 'no syntax error'
rescue PG::SyntaxError => e
  out 'error', sqlstate(e), e.class, e.result.error_field(PG::PG_DIAG_STATEMENT_POSITION)
end
conn.exec('BEGIN')
conn.exec_params("INSERT INTO #{items} (k, name) VALUES ($1, $2)", [50, 'in failed block'])
begin
  conn.exec_prepared('insert_item', [1, 'duplicate', 1, '1'])
  raise 'no unique violation'
rescue PG::UniqueViolation => e
  out 'error in block', sqlstate(e), conn.transaction_status == PG::PQTRANS_INERROR
end
begin
  conn.exec('SELECT 1')
  raise 'the failed block went on'
rescue PG::InFailedSqlTransaction => e
  out 'error', sqlstate(e), e.class
end
conn.exec('ROLLBACK')
out 'after failed block', conn.transaction_status == PG::PQTRANS_IDLE,
    conn.exec_params("SELECT count(*) FROM #{items} WHERE k = $1", [50]).getvalue(0, 0)

# The Apartment gem's schema per tenant: the same tables in each schema, the tenant chosen by
# search_path, unqualified names in the statements.
tenants = %w[a b].map { |t| "#{schema_prefix}tenant_#{t}" }
tenants.each do |schema|
  conn.exec("DROP SCHEMA IF EXISTS #{schema} CASCADE")
  conn.exec("CREATE SCHEMA #{schema}")
  conn.exec("CREATE TABLE #{schema}.orders (id bigint PRIMARY KEY, customer text, total numeric(10,2))")
  distribute_table.call("#{schema}.orders", 'id')
end
switch = lambda do |schema, quoted|
  # Apartment sets it as: SET search_path TO "tenant", "public"
  conn.exec(quoted ? "SET search_path TO \"#{schema}\", \"public\"" : "SET search_path TO #{schema}, public")
end
switch.call(tenants[0], true)
conn.exec_params('INSERT INTO orders VALUES ($1, $2, $3), ($4, $5, $6)', [1, 'alice', '10.00', 2, 'bob', '20.00'])
switch.call(tenants[1], false)
out 'tenant b starts empty', conn.exec('SELECT count(*) FROM orders').getvalue(0, 0)
conn.exec_params('INSERT INTO orders VALUES ($1, $2, $3)', [1, 'carol', '99.00'])
conn.prepare('tenant_orders', 'SELECT id, customer, total FROM orders ORDER BY id')
conn.prepare('tenant_order', 'SELECT customer FROM orders WHERE id = $1')
tenants.each_with_index do |schema, i|
  switch.call(schema, i.zero?)
  rows = conn.exec_prepared('tenant_orders').map { |r| [r['id'], r['customer'], r['total'].to_s('F')] }
  out "tenant #{i}", conn.exec('SHOW search_path').getvalue(0, 0).sub(schema, 'TENANT'), rows.inspect,
      conn.exec_prepared('tenant_order', [1]).getvalue(0, 0)
end
switch.call(tenants[0], true)
conn.transaction do |c|
  c.exec_params('UPDATE orders SET total = total + $1 WHERE id = $2', ['5.00', 1])
  c.exec_params('DELETE FROM orders WHERE id = $1 RETURNING customer', [2])
end
begin
  conn.exec_params('INSERT INTO orders VALUES ($1, $2, $3)', [1, 'again', '1'])
  raise 'no unique violation'
rescue PG::UniqueViolation => e
  out 'tenant error', sqlstate(e)
end
switch.call(tenants[1], false)
conn.exec_params('UPDATE orders SET customer = $1 WHERE id = $2', ['carol b', 1])
conn.exec('RESET search_path')
out 'qualified', tenants.map { |s|
  conn.exec("SELECT id, customer, total FROM #{s}.orders ORDER BY id").map { |r| [r['id'], r['customer'], r['total'].to_s('F')] }
}.inspect
begin
  conn.exec('SELECT count(*) FROM orders')
  raise 'orders outside the tenant'
rescue PG::UndefinedTable => e
  out 'no tenant', sqlstate(e)
end
# SET LOCAL within a transaction: the tenant lasts until its end.
conn.transaction do |c|
  c.exec("SET LOCAL search_path TO #{tenants[1]}")
  out 'set local', c.exec('SELECT customer FROM orders').getvalue(0, 0)
end
out 'after set local', conn.exec('SHOW search_path').getvalue(0, 0)

conn.close
out 'done'
