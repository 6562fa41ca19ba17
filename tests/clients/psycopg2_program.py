#!/usr/bin/python3
"""psycopg2_program.py: a small shop's program, written the way Python programs use
psycopg2 (Debian's python3-psycopg2): parameters, a join with aggregates, transactions
committed and rolled back, a unique violation caught by its SQLSTATE.

Usage: psycopg2_program.py "host=... port=... user=... dbname=..."
It prints what it sees; driver_programs_test compares that with what it printed
against PostgreSQL 15 (psycopg2_program.out)."""
import datetime
import decimal
import sys

import psycopg2
import psycopg2.errors


def show(cur):
    for row in cur.fetchall():
        print("  " + " | ".join(repr(v) for v in row))


def main(dsn):
    conn = psycopg2.connect(dsn)
    cur = conn.cursor()
    cur.execute("DROP TABLE IF EXISTS orders")
    cur.execute("DROP TABLE IF EXISTS customers")
    cur.execute("CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, city text)")
    cur.execute("CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL,"
                " amount numeric(10,2) CHECK (amount > 0), placed date DEFAULT '2026-01-01')")
    cur.executemany("INSERT INTO customers VALUES (%s, %s, %s)",
                    [(1, "Ada", "London"), (2, "Grace", "Arlington"), (3, "Edsger", None),
                     (4, "Barbara", "Boston")])
    orders = [(10, 1, decimal.Decimal("12.50"), datetime.date(2026, 3, 1)),
              (11, 1, decimal.Decimal("7.25"), datetime.date(2026, 3, 2)),
              (12, 2, decimal.Decimal("100.00"), datetime.date(2026, 1, 15)),
              (13, 2, decimal.Decimal("0.99"), datetime.date(2025, 12, 31)),
              (14, 3, decimal.Decimal("42.00"), datetime.date(2026, 2, 28))]
    cur.executemany("INSERT INTO orders VALUES (%s, %s, %s, %s)", orders)
    conn.commit()
    print("loaded:", len(orders), "orders")

    print("orders per customer:")
    cur.execute("""SELECT c.name, count(o.id), sum(o.amount), round(avg(o.amount), 2), max(o.placed)
                     FROM customers c LEFT JOIN orders o ON o.customer_id = c.id
                    GROUP BY c.name HAVING count(o.id) < %s ORDER BY c.name""", (5,))
    show(cur)

    print("big spenders:")
    cur.execute("""SELECT name FROM customers WHERE id IN
                     (SELECT customer_id FROM orders WHERE amount > %(limit)s) ORDER BY name""",
                {"limit": decimal.Decimal("40")})
    show(cur)

    print("doubled, then rolled back:")
    cur.execute("UPDATE orders SET amount = amount * 2 WHERE customer_id = %s RETURNING id, amount", (1,))
    show(cur)
    conn.rollback()
    cur.execute("SELECT sum(amount) FROM orders")
    print("  total after rollback:", cur.fetchone()[0])

    cur.execute("DELETE FROM orders WHERE placed < %s RETURNING id", (datetime.date(2026, 1, 1),))
    print("deleted:", [r[0] for r in cur.fetchall()])
    conn.commit()

    try:
        cur.execute("INSERT INTO customers VALUES (%s, %s, %s)", (2, "Grace again", None))
    except psycopg2.errors.UniqueViolation as e:
        print("error:", e.pgcode, e.diag.message_primary)
        print("detail:", e.diag.message_detail)
        conn.rollback()
    try:
        cur.execute("INSERT INTO orders (id, customer_id, amount) VALUES (%s, %s, %s)", (15, 4, -1))
    except psycopg2.Error as e:
        print("error:", e.pgcode, e.diag.message_primary)
        conn.rollback()

    cur.execute("SELECT %s::int + 1, %s || 'x', %s * 2, %s + 1, %s IS NULL",
                (41, "ab", decimal.Decimal("1.25"), datetime.date(2026, 2, 28), None))
    print("parameters:", cur.fetchone())
    cur.execute("SELECT count(*), count(DISTINCT customer_id) FROM orders")
    print("still there:", cur.fetchone())
    conn.commit()
    conn.close()


if __name__ == "__main__":
    main(sys.argv[1])
