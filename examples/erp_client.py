#!/usr/bin/env python3
"""An ERP-side client of sacrosanct, with psycopg2 (Debian: python3-psycopg2).

The ERP inserts order lines into its own table, as it always did.  sacrosanct
guards that table: when the schedule cannot back a line's promised date, the
INSERT itself is refused with SQLSTATE SC001, and the first line of the
error's DETAIL says the earliest date the schedule can back:

    earliest backed date: 2026-04-01 (bottleneck: PRESS)

(or "earliest backed date: none within 730 days").  This client reads that
date, offers it to the customer, and enters the line again with it when the
customer takes it.

It connects with the usual libpq variables (PGHOST, PGPORT, PGDATABASE,
PGUSER, PGOPTIONS):

    python3 examples/erp_client.py --setup   # once, as a superuser: the
                                             # extension, a small plant, the
                                             # ERP table, guard()
    python3 examples/erp_client.py           # place the sample orders

The sample promises are days from sacrosanct.today(); `make test` pins it with
PGOPTIONS='-c sacrosanct.today=2026-03-30' and compares the transcript with
test/expected/erp_client.out.
"""
import datetime
import re
import sys

import psycopg2

NOT_BACKED = "SC001"
EARLIEST = re.compile(r"earliest backed date: (?:(\d{4}-\d{2}-\d{2}) \(bottleneck: ([^)]*)\)"
                      r"|none within (\d+) days)")


def earliest_backed(error):
    """(date, bottleneck) from an SC001 error's DETAIL; date is None when
    nothing within the horizon can be backed."""
    first_line = (error.diag.message_detail or "").split("\n", 1)[0]
    m = EARLIEST.fullmatch(first_line)
    if m is None:
        raise ValueError("unexpected SC001 detail: %r" % first_line)
    if m.group(1) is None:
        return None, None
    return datetime.date.fromisoformat(m.group(1)), m.group(2)


def insert_line(conn, line_no, customer, sku, units, due):
    """Insert one order line in its own transaction.  None when accepted;
    (earliest date or None, bottleneck) when the schedule cannot back it."""
    try:
        with conn, conn.cursor() as cur:
            cur.execute("INSERT INTO shop.order_line (line_no, customer, sku, units, due)"
                        " VALUES (%s, %s, %s, %s, %s)", (line_no, customer, sku, units, due))
        return None
    except psycopg2.Error as e:
        if e.pgcode != NOT_BACKED:
            raise
        return earliest_backed(e)


def place(conn, line_no, customer, sku, units, due, latest):
    """Promise what the customer asked for if the schedule backs it, else
    offer the earliest date it backs; the customer takes any date up to
    'latest'."""
    print("%s %s: %d x %s for %s" % (line_no, customer, units, sku, due))
    refused = insert_line(conn, line_no, customer, sku, units, due)
    if refused is None:
        print("    accepted for %s" % due)
        return due
    earliest, bottleneck = refused
    if earliest is None:
        print("    refused (%s): no date within the horizon; ask the scheduler for capacity"
              % NOT_BACKED)
        return None
    print("    refused (%s): the schedule backs %s at the earliest, bottleneck %s"
          % (NOT_BACKED, earliest, bottleneck))
    if earliest > latest:
        print("    offered %s; %s needs it by %s and declines" % (earliest, customer, latest))
        return None
    print("    offered %s; %s takes it" % (earliest, customer))
    if insert_line(conn, line_no, customer, sku, units, earliest) is not None:
        print("    refused again: another order took the capacity meanwhile")
        return None
    print("    accepted for %s" % earliest)
    return earliest


SETUP = """
CREATE EXTENSION IF NOT EXISTS sacrosanct;
-- the plant, which the scheduler keeps (not the ERP's business): one press,
-- eight hours a day Monday to Friday, one minute a display
INSERT INTO sacrosanct.calendar (code) VALUES ('weekdays');
INSERT INTO sacrosanct.calendar_window (calendar, isodow, starts, ends)
SELECT 'weekdays', d, '08:00', '16:00' FROM generate_series(1, 5) d;
INSERT INTO sacrosanct.resource (code, name, calendar) VALUES ('PRESS', 'press', 'weekdays');
INSERT INTO sacrosanct.product (code, buffer_days) VALUES ('DISPLAY', 1);
INSERT INTO sacrosanct.routing (product, step, resource, run_minutes) VALUES ('DISPLAY', 1, 'PRESS', 1);
-- the ERP's own table, guarded in place
CREATE SCHEMA shop;
CREATE TABLE shop.order_line (
    line_no  text PRIMARY KEY,
    customer text NOT NULL,
    sku      text NOT NULL,
    units    integer NOT NULL,
    due      date,
    state    text NOT NULL DEFAULT 'open'
);
SELECT sacrosanct.guard('shop.order_line', key => 'line_no', product => 'sku', qty => 'units',
                        promised => 'due', status => 'state', done_values => '{shipped}');
"""


def main(argv):
    conn = psycopg2.connect("")          # PGHOST, PGPORT, PGDATABASE, ...
    if "--setup" in argv:
        with conn, conn.cursor() as cur:
            cur.execute(SETUP)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT sacrosanct.today()")
        today = cur.fetchone()[0]
    print("today is %s" % today)

    def day(n):
        return today + datetime.timedelta(days=n)

    #     line    customer        sku        units  asks for  takes up to
    place(conn, "L-1", "Acme Stores", "DISPLAY", 400, day(1), day(1))
    place(conn, "L-2", "Bolt Market", "DISPLAY", 400, day(1), day(7))
    place(conn, "L-3", "Cogs & Co", "DISPLAY", 960, day(3), day(3))
    place(conn, "L-4", "Dyna Retail", "DISPLAY", 10 ** 7, day(30), day(60))
    conn.close()


if __name__ == "__main__":
    main(sys.argv[1:])
