-- A table with a primary key, a UNIQUE, a NOT NULL, a DEFAULT, a CHECK and two more indexes:
-- what psql_describe_test.cpp describes with psql 15 (run on a fresh PostgreSQL 15 database).
create table items (id int primary key, code text unique not null, qty int default 0 check (qty >= 0), price numeric(8,2), added date);
create index items_qty_idx on items (qty);
create unique index items_lower_code on items (code, qty);
