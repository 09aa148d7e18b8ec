"""Deterministic test data: a catalog and Shopify order exports of any size."""

from __future__ import annotations

import csv
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

SHOPIFY_HEADER = [
    "Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at",
    "Accepts Marketing", "Currency", "Subtotal", "Shipping", "Taxes", "Total",
    "Discount Code", "Discount Amount", "Shipping Method", "Created at", "Lineitem quantity",
    "Lineitem name", "Lineitem price", "Lineitem compare at price", "Lineitem sku",
    "Lineitem requires shipping", "Lineitem taxable", "Lineitem fulfillment status",
    "Billing Name", "Billing Street", "Billing Address1", "Billing Address2",
    "Billing Company", "Billing City", "Billing Zip", "Billing Province", "Billing Country",
    "Billing Phone", "Shipping Name", "Shipping Street", "Shipping Address1",
    "Shipping Address2", "Shipping Company", "Shipping City", "Shipping Zip",
    "Shipping Province", "Shipping Country", "Shipping Phone", "Notes", "Note Attributes",
    "Cancelled at", "Payment Method", "Payment Reference", "Refunded Amount", "Vendor",
    "Outstanding Balance", "Employee", "Location", "Device ID", "Id", "Tags", "Risk Level",
    "Source", "Lineitem discount",
]
SKUS = [f"SKU-{n:04d}" for n in range(200)]
CITIES = [("Portland", "OR", "97201"), ("Austin", "TX", "73301"), ("Boston", "MA", "02108"),
          ("Denver", "CO", "80202"), ("Seattle", "WA", "98101")]


def write_catalog(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "name", "price", "cost", "reorder_point"])
        for n, sku in enumerate(SKUS):
            writer.writerow([sku, f"Product {n}", f"{5 + n % 40}.00", f"{2 + n % 15}.50", 5])


def write_shopify_orders(path: Path, orders: int, *, lines_per_order: int = 2,
                         seed: int = 7) -> int:
    """Write ``orders`` Shopify orders (newest first, as Shopify does); returns rows written."""
    rng = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(SHOPIFY_HEADER)
        for number in range(orders, 0, -1):
            placed = start + timedelta(minutes=number * 3)
            items = [(rng.choice(SKUS), rng.randint(1, 3), rng.randint(5, 60))
                     for _ in range(lines_per_order)]
            subtotal = sum(qty * price for _, qty, price in items)
            city, region, zipcode = CITIES[number % len(CITIES)]
            email = f"customer{number % (orders // 3 + 1)}@example.com"
            for index, (sku, qty, price) in enumerate(items):
                first = index == 0
                row = dict.fromkeys(SHOPIFY_HEADER, "")
                row.update({
                    "Name": f"#{1000 + number}", "Email": email,
                    "Created at": placed.strftime("%Y-%m-%d %H:%M:%S +0000"),
                    "Lineitem quantity": str(qty), "Lineitem name": f"Product {sku}",
                    "Lineitem price": f"{price}.00", "Lineitem sku": sku,
                    "Lineitem requires shipping": "true", "Lineitem taxable": "true",
                    "Lineitem fulfillment status": "pending", "Lineitem discount": "0.00",
                })
                if first:
                    row.update({
                        "Financial Status": "paid", "Fulfillment Status": "unfulfilled",
                        "Currency": "USD", "Subtotal": f"{subtotal}.00", "Shipping": "5.00",
                        "Taxes": "0.00", "Total": f"{subtotal + 5}.00",
                        "Discount Amount": "0.00", "Shipping Name": f"Customer {number}",
                        "Shipping Address1": f"{number} Main St", "Shipping City": city,
                        "Shipping Zip": zipcode, "Shipping Province": region,
                        "Shipping Country": "US", "Id": str(5_000_000 + number),
                        "Risk Level": "Low", "Source": "web",
                    })
                writer.writerow([row[name] for name in SHOPIFY_HEADER])
                rows += 1
    return rows
