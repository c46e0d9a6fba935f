CREATE TABLE shell_planets (id bigint, name text, moons int);
SELECT master_create_distributed_table('shell_planets', 'id', 'hash');
SELECT master_create_worker_shards('shell_planets', 4, 2);
INSERT INTO shell_planets VALUES (3, 'Earth', 1), (4, 'Mars', 2), (5, 'Jupiter', 95);
SELECT name, moons FROM shell_planets ORDER BY id;
EXPLAIN SELECT name FROM shell_planets WHERE id = 4;
EXPLAIN SELECT sum(moons) FROM shell_planets;
