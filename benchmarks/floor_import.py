"""The floor for importing: a plain csv + sqlite3 script doing the same normalised insert.

It reads the Shopify export, groups continuation rows into orders, converts money
to integer cents and dates to UTC, de-duplicates customers by e-mail and inserts
orders, lines and customers in one transaction: the work ``oms import`` must do,
with none of its checks. Usage: python -m benchmarks.floor_import FILE DB
"""

from __future__ import annotations

import csv
import sqlite3
import sys
from datetime import UTC, datetime
from decimal import Decimal

SCHEMA = """
CREATE TABLE customer (id INTEGER PRIMARY KEY, email TEXT UNIQUE);
CREATE TABLE orders (id INTEGER PRIMARY KEY, channel TEXT, external_id TEXT, placed_at TEXT,
  currency TEXT, subtotal INTEGER, shipping INTEGER, tax INTEGER, total INTEGER,
  status TEXT, customer_id INTEGER, ship_city TEXT, ship_country TEXT,
  UNIQUE (channel, external_id));
CREATE TABLE order_line (id INTEGER PRIMARY KEY, order_id INTEGER, line_key TEXT, sku TEXT,
  quantity INTEGER, unit_price INTEGER);
"""


def cents(text: str) -> int:
    return int(Decimal(text or "0") * 100)


def main(path: str, database: str) -> None:
    connection = sqlite3.connect(database, isolation_level=None)
    connection.executescript(SCHEMA)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("BEGIN IMMEDIATE")
    customers: dict[str, int] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        order_id, current = 0, None
        for row in reader:
            if row["Name"] != current:
                current = row["Name"]
                email = row["Email"].lower()
                if email not in customers:
                    customers[email] = connection.execute(
                        "INSERT INTO customer (email) VALUES (?)", (email,)).lastrowid or 0
                placed = datetime.strptime(row["Created at"], "%Y-%m-%d %H:%M:%S %z")
                order_id = connection.execute(
                    "INSERT INTO orders (channel, external_id, placed_at, currency, subtotal, "
                    "shipping, tax, total, status, customer_id, ship_city, ship_country) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    ("shopify", current, placed.astimezone(UTC).isoformat(), row["Currency"],
                     cents(row["Subtotal"]), cents(row["Shipping"]), cents(row["Taxes"]),
                     cents(row["Total"]), "ready", customers[email], row["Shipping City"],
                     row["Shipping Country"])).lastrowid or 0
                line = 0
            line += 1
            connection.execute(
                "INSERT INTO order_line (order_id, line_key, sku, quantity, unit_price) "
                "VALUES (?,?,?,?,?)",
                (order_id, str(line), row["Lineitem sku"], int(row["Lineitem quantity"]),
                 cents(row["Lineitem price"])))
    connection.execute("COMMIT")
    connection.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
