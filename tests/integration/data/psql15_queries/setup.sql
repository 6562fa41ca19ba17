-- The objects the captured queries describe (run on a fresh PostgreSQL 15 database "postgres").
create table customers (id serial primary key, email text unique, name varchar(40) not null);
create table orders (id bigserial primary key, customer_id int references customers(id), amount numeric(10,2) check (amount > 0), placed date default current_date);
create index orders_customer_idx on orders(customer_id);
create view big_orders as select * from orders where amount > 100;
create sequence ticket_seq;
