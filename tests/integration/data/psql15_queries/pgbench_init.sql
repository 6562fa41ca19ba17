-- What pgbench -i sends to PostgreSQL 15.18 (log_statement=all), in order.
-- Literal numbers replaced by N where pgbench varies them.
drop table if exists pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers;

create table pgbench_history(tid int,bid int,aid    int,delta int,mtime timestamp,filler char(22));

create table pgbench_tellers(tid int not null,bid int,tbalance int,filler char(84)) with (fillfactor=100);

create table pgbench_accounts(aid    int not null,bid int,abalance int,filler char(84)) with (fillfactor=100);

create table pgbench_branches(bid int not null,bbalance int,filler char(88)) with (fillfactor=100);

begin;

truncate table pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers;

insert into pgbench_branches(bid,bbalance) values(1,0);

insert into pgbench_tellers(tid,bid,tbalance) values (1,1,0);

insert into pgbench_tellers(tid,bid,tbalance) values (2,1,0);

insert into pgbench_tellers(tid,bid,tbalance) values (3,1,0);

insert into pgbench_tellers(tid,bid,tbalance) values (4,1,0);

insert into pgbench_tellers(tid,bid,tbalance) values (5,1,0);

insert into pgbench_tellers(tid,bid,tbalance) values (6,1,0);

insert into pgbench_tellers(tid,bid,tbalance) values (7,1,0);

insert into pgbench_tellers(tid,bid,tbalance) values (8,1,0);

insert into pgbench_tellers(tid,bid,tbalance) values (9,1,0);

insert into pgbench_tellers(tid,bid,tbalance) values (10,1,0);

copy pgbench_accounts from stdin with (freeze on);

commit;

vacuum analyze pgbench_branches;

vacuum analyze pgbench_tellers;

vacuum analyze pgbench_accounts;

vacuum analyze pgbench_history;

alter table pgbench_branches add primary key (bid);

alter table pgbench_tellers add primary key (tid);

alter table pgbench_accounts add primary key (aid);

