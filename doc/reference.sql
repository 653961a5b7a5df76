-- doc/reference.sql: the catalog's part of doc/reference.md, run by
-- doc/reference.sh with psql, which feeds it on stdin what the C sources say
-- about SQLSTATEs (tab-separated rows: see there) and writes its output to
-- doc/reference.md.  Everything runs in one transaction that is rolled
-- back: CREATE EXTENSION and sacrosanct.create_roles() are undone.
--
-- The sections below place each object; the text of each object is its
-- COMMENT.  A function, table or view of the extension that no section
-- places is an error (a new object needs a place), and so is a placed name
-- that does not exist; trigger functions, sequences and the tables whose
-- COMMENT starts with "Internal:" go to the internal objects by themselves.
-- The output holds no OID, no time, no path: the same install gives the
-- same bytes.

\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only on
\pset footer off
\pset pager off

BEGIN;
SET LOCAL search_path = pg_catalog, pg_temp;
SET LOCAL lc_messages = 'C';
CREATE EXTENSION IF NOT EXISTS sacrosanct;
SELECT count(*) AS roles_created FROM (SELECT sacrosanct.create_roles()) r \gset
-- the library defines its settings when it loads
SELECT sacrosanct.today() IS NOT NULL AS library_loaded \gset

CREATE TEMP TABLE src (kind text, macro text, b text, c text);
\copy src FROM pstdin

-------------------------------------------------------------------------------
-- Where each object goes
-------------------------------------------------------------------------------

CREATE TEMP TABLE section (id text PRIMARY KEY, ord int, kind text, title text, intro text);
INSERT INTO section VALUES
    ('promises', 1, 'function', 'Promises and quotes',
     'What can be promised, and holding it. The promise itself is an INSERT into a guarded order table (`sacrosanct.orders` or a table `guard()` attached to).'),
    ('schedulers', 2, 'function', 'Schedulers',
     'Capacity, progress and replans: what `sacrosanct_scheduler` does. Master data (calendars, resources, products, routings) is written with plain DML on its tables.'),
    ('erp', 3, 'function', 'ERP',
     'Guarding an order table an ERP or CRM already writes, with its own column names.'),
    ('pipeline', 4, 'function', 'The pipeline',
     'The divided-labor pipeline: work items handed from stage to stage (doc/pipeline.md). A CRM may write `work_item` and `handoff` directly instead; the same triggers check both.'),
    ('reading', 5, 'function', 'Reading',
     'Read-only functions for people, BI tools and the views.'),
    ('setup', 6, 'function', 'Setup',
     'Run once per database, by a superuser.'),
    ('masterdata', 11, 'table', 'Master data',
     'Plain tables that schedulers and ERP SQL write directly; the master-data triggers check every change against the committed plan (SC003 when it would break a promise).'),
    ('orders', 12, 'table', 'Orders',
     'The built-in guarded order table: every open order is planned or refused as it is written.'),
    ('journals', 13, 'table', 'Journals of the schedule',
     'Written only by sacrosanct; read them (`sacrosanct_reader` may).'),
    ('pipeline_tables', 14, 'table', 'Pipeline tables',
     'Stages and transitions are set up by administrators; work items and handoffs are written by stage members, through the rules; visits and events only by sacrosanct.'),
    ('schedule_views', 21, 'view', 'Schedule views',
     'What schedulers and BI tools read about promises, load and delivery.'),
    ('pipeline_views', 22, 'view', 'Pipeline views',
     'Measures of the pipeline. They apply the pipeline''s row-level security themselves: each reader sees what the tables would show them; `sacrosanct_reader` sees everything.'),
    ('internal', 99, 'any', 'Internal objects',
     'What the extension uses itself. Nothing here is called or written by users; it is listed so that nothing in the schema is unexplained.');

CREATE TEMP TABLE placed (kind text, name text, section text REFERENCES section, ord int);
INSERT INTO placed VALUES
    ('function', 'quote', 'promises', 1),
    ('function', 'lead_times', 'promises', 2),
    ('function', 'add_capacity', 'schedulers', 1),
    ('function', 'remove_capacity', 'schedulers', 2),
    ('function', 'complete_step', 'schedulers', 3),
    ('function', 'replan', 'schedulers', 4),
    ('function', 'verify', 'schedulers', 5),
    ('function', 'guard', 'erp', 1),
    ('function', 'unguard', 'erp', 2),
    ('function', 'open_item', 'pipeline', 1),
    ('function', 'hand_off', 'pipeline', 2),
    ('function', 'accept', 'pipeline', 3),
    ('function', 'send_back', 'pipeline', 4),
    ('function', 'close_item', 'pipeline', 5),
    ('function', 'escalate', 'pipeline', 6),
    ('function', 'default_pipeline', 'pipeline', 7),
    ('function', 'today', 'reading', 1),
    ('function', 'horizon', 'reading', 2),
    ('function', 'capacity', 'reading', 3),
    ('function', 'gantt', 'reading', 4),
    ('function', 'create_roles', 'setup', 1),
    ('function', 'pipeline_sees', 'internal', 1),
    ('function', 'keep_always', 'internal', 2),
    ('table', 'calendar', 'masterdata', 1),
    ('table', 'calendar_window', 'masterdata', 2),
    ('table', 'calendar_holiday', 'masterdata', 3),
    ('table', 'resource', 'masterdata', 4),
    ('table', 'product', 'masterdata', 5),
    ('table', 'routing', 'masterdata', 6),
    ('table', 'capacity_change', 'masterdata', 7),
    ('table', 'orders', 'orders', 1),
    ('table', 'plan_log', 'journals', 1),
    ('table', 'renegotiation', 'journals', 2),
    ('table', 'stage', 'pipeline_tables', 1),
    ('table', 'transition', 'pipeline_tables', 2),
    ('table', 'work_item', 'pipeline_tables', 3),
    ('table', 'handoff', 'pipeline_tables', 4),
    ('table', 'stage_visit', 'pipeline_tables', 5),
    ('table', 'item_event', 'pipeline_tables', 6),
    ('view', 'schedule', 'schedule_views', 1),
    ('view', 'resource_load', 'schedule_views', 2),
    ('view', 'promise_status', 'schedule_views', 3),
    ('view', 'quoted_lead_time', 'schedule_views', 4),
    ('view', 'on_time_delivery', 'schedule_views', 5),
    ('view', 'pipeline_wip', 'pipeline_views', 1),
    ('view', 'handoff_latency', 'pipeline_views', 2),
    ('view', 'sla_breach', 'pipeline_views', 3),
    ('view', 'item_journey', 'pipeline_views', 4);

-------------------------------------------------------------------------------
-- The objects
-------------------------------------------------------------------------------

-- COMMENTs as Markdown text: no HTML, no table breaks
CREATE FUNCTION pg_temp.md(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT replace(replace(replace(replace(coalesce(t, ''), '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),
                   '|', '\|')
$$;

CREATE TEMP TABLE obj AS
SELECT 'function'::text AS kind, p.oid, p.proname::text AS name,
       p.prorettype = 'trigger'::regtype AS is_trigger, NULL::"char" AS relkind,
       obj_description(p.oid, 'pg_proc') AS descr
  FROM pg_proc p WHERE p.pronamespace = 'sacrosanct'::regnamespace
UNION ALL
SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'S' THEN 'sequence' ELSE 'table' END, c.oid,
       c.relname::text, false, c.relkind, obj_description(c.oid, 'pg_class')
  FROM pg_class c
 WHERE c.relnamespace = 'sacrosanct'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
   -- identity sequences belong to their column
   AND NOT EXISTS (SELECT FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'i');

-- every function, table and view in a section, and every placed name an object
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT o.kind, o.name FROM obj o
              WHERE o.kind IN ('function', 'table', 'view') AND NOT o.is_trigger
                AND NOT (o.kind = 'table' AND coalesce(o.descr, '') LIKE 'Internal:%')
                AND NOT EXISTS (SELECT FROM placed p WHERE p.kind = o.kind AND p.name = o.name)
              ORDER BY o.kind, o.name COLLATE "C" LOOP
        RAISE EXCEPTION 'doc/reference.sql: % sacrosanct.% has no section', r.kind, r.name
            USING HINT = 'Add it to the table "placed" in doc/reference.sql.';
    END LOOP;
    FOR r IN SELECT p.kind, p.name FROM placed p
              WHERE NOT EXISTS (SELECT FROM obj o WHERE o.kind = p.kind AND o.name = p.name)
              ORDER BY p.kind, p.name COLLATE "C" LOOP
        RAISE EXCEPTION 'doc/reference.sql: % sacrosanct.% is placed but does not exist', r.kind, r.name
            USING HINT = 'Remove it from the table "placed" in doc/reference.sql.';
    END LOOP;
END
$$;

CREATE TEMP TABLE entry AS
SELECT o.*, coalesce(p.section, 'internal') AS section, s.ord AS section_ord,
       CASE WHEN p.section IS NOT NULL THEN p.ord
            ELSE CASE o.kind WHEN 'function' THEN 10 WHEN 'table' THEN 20 WHEN 'sequence' THEN 30 ELSE 40 END
       END AS ord
  FROM obj o
  LEFT JOIN placed p ON p.kind = o.kind AND p.name = o.name
  JOIN section s ON s.id = coalesce(p.section, 'internal');

-- GitHub's anchor of a heading "sacrosanct.NAME"
CREATE FUNCTION pg_temp.anchor(name text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT 'sacrosanct' || regexp_replace(lower(name), '[^a-z0-9_-]', '', 'g')
$$;

-------------------------------------------------------------------------------
-- Who may do what: the group roles are the roles the extension's objects
-- are granted to (what create_roles() grants); a member inherits.
-------------------------------------------------------------------------------

CREATE TEMP TABLE acl AS
SELECT o.kind, o.oid, a.grantee, a.privilege_type
  FROM obj o
  JOIN pg_proc p ON o.kind = 'function' AND p.oid = o.oid,
       aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
 WHERE a.grantee <> p.proowner
UNION ALL
SELECT o.kind, o.oid, a.grantee, a.privilege_type
  FROM obj o
  JOIN pg_class c ON o.kind <> 'function' AND c.oid = o.oid,
       aclexplode(coalesce(c.relacl, acldefault(CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END::"char",
                                                c.relowner))) a
 WHERE a.grantee <> c.relowner;

CREATE TEMP TABLE grp AS
SELECT DISTINCT grantee AS role FROM acl WHERE grantee <> 0
UNION
SELECT a.grantee FROM pg_namespace n, aclexplode(n.nspacl) a
 WHERE n.nspname = 'sacrosanct' AND a.grantee <> n.nspowner AND a.grantee <> 0;

-- member inherits the privileges of role (among the group roles), through via
CREATE TEMP TABLE inherits AS
WITH RECURSIVE m(role, member, via) AS (
    SELECT am.roleid, am.member, am.roleid
      FROM pg_auth_members am JOIN pg_roles r ON r.oid = am.member AND r.rolinherit
     WHERE am.roleid IN (SELECT role FROM grp) AND am.member IN (SELECT role FROM grp)
    UNION
    SELECT m.role, am.member, m.via
      FROM m JOIN pg_auth_members am ON am.roleid = m.member
      JOIN pg_roles r ON r.oid = am.member AND r.rolinherit
     WHERE am.member IN (SELECT role FROM grp)
)
SELECT * FROM m;

-- the group roles that hold a privilege on an object: directly (via NULL),
-- or as members of a role that holds it
CREATE FUNCTION pg_temp.holders(o oid, priv text) RETURNS TABLE (name text, via text)
LANGUAGE sql STABLE AS $$
    WITH direct AS (
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee)::text END AS name,
               NULL::text AS via
          FROM pg_temp.acl a WHERE a.oid = o AND a.privilege_type = priv
    )
    SELECT * FROM direct
    UNION ALL
    SELECT DISTINCT pg_get_userbyid(i.member)::text, pg_get_userbyid(i.via)::text
      FROM pg_temp.acl a JOIN pg_temp.inherits i ON i.role = a.grantee
     WHERE a.oid = o AND a.privilege_type = priv
       AND pg_get_userbyid(i.member)::text NOT IN (SELECT name FROM direct)
$$;

-- "`a`, `b` (as a member of `c`)"; NULL: none
CREATE FUNCTION pg_temp.who(o oid, priv text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT string_agg('`' || name || '`' || coalesce(' (as a member of `' || via || '`)', ''), ', '
                      ORDER BY name COLLATE "C", via COLLATE "C")
      FROM pg_temp.holders(o, priv)
$$;

-- "`a` (INSERT, UPDATE); `b` (INSERT, as a member of `c`)"; NULL: none
CREATE FUNCTION pg_temp.privs(o oid, privs text[]) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT string_agg('`' || name || '` (' || p || coalesce(', as a member of `' || via || '`', '') || ')', '; '
                      ORDER BY name COLLATE "C", via COLLATE "C")
      FROM (SELECT h.name, h.via, string_agg(x.priv, ', ' ORDER BY x.n) AS p
              FROM unnest(privs) WITH ORDINALITY x(priv, n), pg_temp.holders(o, x.priv) h
             GROUP BY h.name, h.via) t
$$;

-------------------------------------------------------------------------------
-- Rendering: each entry is Markdown without a final newline
-------------------------------------------------------------------------------

CREATE FUNCTION pg_temp.function_md(f oid) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT format(E'#### sacrosanct.%s\n\n```sql\nsacrosanct.%s(%s)\n    RETURNS %s\n```\n\n%s\n\n%s',
                  p.proname, p.proname, pg_get_function_arguments(p.oid), pg_get_function_result(p.oid),
                  pg_temp.md(obj_description(p.oid, 'pg_proc')),
                  concat_ws(E'\n',
                      '- **Runs as:** ' || CASE WHEN p.prosecdef
                                                THEN 'its owner (SECURITY DEFINER)'
                                                ELSE 'the caller (SECURITY INVOKER)' END
                          || '; ' || CASE p.provolatile WHEN 'i' THEN 'immutable' WHEN 's' THEN 'stable'
                                                        ELSE 'volatile' END
                          || CASE WHEN p.proisstrict THEN ', strict' ELSE '' END
                          || '; ' || CASE l.lanname WHEN 'c' THEN 'C' WHEN 'sql' THEN 'SQL'
                                                    WHEN 'plpgsql' THEN 'PL/pgSQL' ELSE l.lanname END
                          || coalesce('; sets `' || array_to_string(p.proconfig, '`, `') || '`', ''),
                      '- **EXECUTE:** ' || coalesce(pg_temp.who(p.oid, 'EXECUTE'), 'superusers only')))
      FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
     WHERE p.oid = f
$$;

CREATE FUNCTION pg_temp.columns_md(r oid, with_storage boolean) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN with_storage
                THEN E'| column | type | null | default | description |\n|---|---|---|---|---|\n'
                ELSE E'| column | type | description |\n|---|---|---|\n' END
           || string_agg(
                '| `' || a.attname || '` | `' || format_type(a.atttypid, a.atttypmod)
                || CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation
                        THEN ' COLLATE ' || quote_ident(co.collname) ELSE '' END || '` | '
                || CASE WHEN with_storage
                        THEN CASE WHEN a.attnotnull THEN 'not null' ELSE 'null' END || ' | '
                             || CASE a.attidentity WHEN 'a' THEN 'generated always as identity'
                                                   WHEN 'd' THEN 'generated by default as identity'
                                                   ELSE coalesce('`' || replace(pg_get_expr(d.adbin, d.adrelid), '|', '\|')
                                                                 || '`', '') END
                             || ' | '
                        ELSE '' END
                || pg_temp.md(col_description(a.attrelid, a.attnum)) || ' |',
                E'\n' ORDER BY a.attnum)
      FROM pg_attribute a
      JOIN pg_type t ON t.oid = a.atttypid
      LEFT JOIN pg_collation co ON co.oid = a.attcollation
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE a.attrelid = r AND a.attnum > 0 AND NOT a.attisdropped
$$;

-- SQL text on one line, for a code span
CREATE FUNCTION pg_temp.code(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT '`' || regexp_replace(regexp_replace(t, '\s+', ' ', 'g'), '\( ', '(', 'g') || '`'
$$;

-- a trigger in words: "BEFORE INSERT OR UPDATE, each row: guard_before()"
CREATE FUNCTION pg_temp.trigger_md(t oid) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT '`' || tg.tgname || '`: '
           || CASE WHEN tg.tgconstraint <> 0 THEN 'constraint trigger, '
                   || CASE WHEN tg.tgdeferrable THEN 'deferrable, initially '
                           || CASE WHEN tg.tginitdeferred THEN 'deferred' ELSE 'immediate' END || ', '
                           ELSE '' END
                   ELSE '' END
           || CASE WHEN tg.tgtype & 2 <> 0 THEN 'BEFORE ' WHEN tg.tgtype & 64 <> 0 THEN 'INSTEAD OF ' ELSE 'AFTER ' END
           || array_to_string(ARRAY[CASE WHEN tg.tgtype & 4 <> 0 THEN 'INSERT' END,
                                    CASE WHEN tg.tgtype & 16 <> 0 THEN 'UPDATE' END,
                                    CASE WHEN tg.tgtype & 8 <> 0 THEN 'DELETE' END,
                                    CASE WHEN tg.tgtype & 32 <> 0 THEN 'TRUNCATE' END], ' OR ')
           || CASE WHEN tg.tgtype & 1 <> 0 THEN ', each row' ELSE ', each statement' END
           || coalesce(' when ' || pg_temp.code(substring(pg_get_triggerdef(tg.oid) FROM ' WHEN \((.*)\) EXECUTE ')), '')
           || ': [`' || p.proname || '()`](#' || pg_temp.anchor(p.proname) || ')'
           || CASE tg.tgenabled WHEN 'A' THEN ', fires always (also under session_replication_role = replica)'
                                WHEN 'D' THEN ', disabled'
                                WHEN 'R' THEN ', fires only under session_replication_role = replica'
                                ELSE '' END
      FROM pg_trigger tg JOIN pg_proc p ON p.oid = tg.tgfoid
     WHERE tg.oid = t
$$;

-- the statement triggers that refuse every SQL INSERT: only sacrosanct writes the table
CREATE FUNCTION pg_temp.refusing_trigger(r oid) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT string_agg('`' || tg.tgname || '` ([`' || p.proname || '()`](#' || pg_temp.anchor(p.proname) || '))',
                      ', ' ORDER BY tg.tgname COLLATE "C")
           || CASE WHEN bool_and(tg.tgenabled = 'A') THEN ', superusers included'
                   ELSE ', superusers included, except under session_replication_role = replica (a restore)' END
      FROM pg_trigger tg JOIN pg_proc p ON p.oid = tg.tgfoid
     WHERE tg.tgrelid = r AND NOT tg.tgisinternal
       AND tg.tgtype & 1 = 0 AND tg.tgtype & 2 <> 0 AND tg.tgtype & 4 <> 0
       AND p.pronamespace = 'sacrosanct'::regnamespace
$$;

CREATE FUNCTION pg_temp.table_md(r oid) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT format(E'#### sacrosanct.%s\n\n%s\n\n%s\n\n%s',
                  c.relname, pg_temp.md(obj_description(c.oid, 'pg_class')),
                  concat_ws(E'\n',
                      '- **Who writes it:** ' || coalesce(
                          'only sacrosanct; SQL writes are refused by ' || pg_temp.refusing_trigger(c.oid),
                          pg_temp.privs(c.oid, '{INSERT,UPDATE,DELETE,TRUNCATE}')
                          || CASE WHEN EXISTS (SELECT FROM pg_trigger tg JOIN pg_proc p ON p.oid = tg.tgfoid
                                                WHERE tg.tgrelid = c.oid AND NOT tg.tgisinternal
                                                  AND p.pronamespace = 'sacrosanct'::regnamespace)
                                  THEN '; every write goes through the triggers below' ELSE '' END,
                          'superusers only'),
                      '- **Who reads it:** ' || coalesce(pg_temp.who(c.oid, 'SELECT'), 'superusers only')
                          || CASE WHEN c.relrowsecurity THEN '; each sees only the rows row-level security shows it' ELSE '' END,
                      (SELECT E'- **Keys and checks:**\n' || string_agg(
                                  '  - `' || k.conname || '`: ' || pg_temp.code(pg_get_constraintdef(k.oid)),
                                  E'\n' ORDER BY k.contype = 'p' DESC, k.contype, k.conname COLLATE "C")
                         FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype <> 't'),
                      (SELECT E'- **Unique indexes:**\n' || string_agg(
                                  '  - `' || ic.relname || '`: '
                                  || pg_temp.code(regexp_replace(pg_get_indexdef(i.indexrelid), '^.* USING \w+ ', 'UNIQUE ')),
                                  E'\n' ORDER BY ic.relname COLLATE "C")
                         FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
                        WHERE i.indrelid = c.oid AND i.indisunique
                          AND NOT EXISTS (SELECT FROM pg_constraint k WHERE k.conindid = i.indexrelid)),
                      (SELECT E'- **Triggers:**\n' || string_agg('  - ' || pg_temp.trigger_md(tg.oid),
                                                            E'\n' ORDER BY tg.tgname COLLATE "C", tg.tgtype)
                         FROM pg_trigger tg WHERE tg.tgrelid = c.oid AND NOT tg.tgisinternal),
                      (SELECT E'- **Row-level security:** ' || CASE WHEN c.relforcerowsecurity THEN 'forced, ' ELSE '' END
                              || E'policies\n' || string_agg(
                                  '  - `' || pol.policyname || '`, ' || lower(pol.cmd) || ' rows, for '
                                  || array_to_string(pol.roles, ', ')
                                  || coalesce(': using ' || pg_temp.code(pol.qual), '')
                                  || coalesce(', with check ' || pg_temp.code(pol.with_check), ''),
                                  E'\n' ORDER BY pol.policyname COLLATE "C")
                         FROM pg_policies pol WHERE pol.schemaname = 'sacrosanct' AND pol.tablename = c.relname)),
                  pg_temp.columns_md(c.oid, true))
      FROM pg_class c WHERE c.oid = r
$$;

CREATE FUNCTION pg_temp.view_md(r oid) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT format(E'#### sacrosanct.%s\n\n%s\n\n%s\n\n%s',
                  c.relname, pg_temp.md(obj_description(c.oid, 'pg_class')),
                  '- **Who reads it:** ' || coalesce(pg_temp.who(c.oid, 'SELECT'), 'superusers only')
                  || E'\n- It reads its tables with '
                  || CASE WHEN coalesce(c.reloptions @> '{security_invoker=true}', false)
                          THEN 'the rights of whoever reads it (security_invoker)' ELSE 'its owner''s rights' END
                  || CASE WHEN coalesce(c.reloptions @> '{security_barrier=true}', false)
                          THEN '; a security barrier view: the functions of a query on it see only the rows it lets through.'
                          ELSE '.' END,
                  pg_temp.columns_md(c.oid, false))
      FROM pg_class c WHERE c.oid = r
$$;

CREATE FUNCTION pg_temp.sequence_md(r oid) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT format(E'#### sacrosanct.%s\n\n%s\n\n- A sequence of `%s`. **Who uses it:** %s',
                  c.relname, pg_temp.md(obj_description(c.oid, 'pg_class')),
                  format_type(s.seqtypid, NULL),
                  coalesce(pg_temp.who(c.oid, 'USAGE'), 'superusers only'))
      FROM pg_class c JOIN pg_sequence s ON s.seqrelid = c.oid WHERE c.oid = r
$$;

CREATE FUNCTION pg_temp.entry_md(e pg_temp.entry) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE e.kind WHEN 'function' THEN pg_temp.function_md(e.oid)
                       WHEN 'table' THEN pg_temp.table_md(e.oid)
                       WHEN 'view' THEN pg_temp.view_md(e.oid)
                       ELSE pg_temp.sequence_md(e.oid) END
$$;

-- where a code is raised: "`file.c`: `fn` (`sacrosanct.sql_name()`), `fn`"
CREATE TEMP TABLE raised AS
SELECT r.macro, r.b AS file, r.c AS cfunc,
       (SELECT string_agg(DISTINCT 'sacrosanct.' || p.proname || '()', ', ')
          FROM pg_proc p WHERE p.pronamespace = 'sacrosanct'::regnamespace
           AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c') AND p.prosrc = r.c) AS sql_name
  FROM src r WHERE r.kind = 'raise';

CREATE FUNCTION pg_temp.where_md(m text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT string_agg(files, '; ' ORDER BY file COLLATE "C")
      FROM (SELECT file, '`' || file || '`: ' || string_agg(
                       CASE WHEN cfunc = '' THEN '(file scope)' ELSE '`' || cfunc || '`' END
                       || coalesce(' (`' || sql_name || '`)', ''), ', ' ORDER BY cfunc COLLATE "C") AS files
              FROM pg_temp.raised WHERE macro = m GROUP BY file) f
$$;

-- a section: "### title", its intro, its entries
CREATE FUNCTION pg_temp.section_md(s text, heading text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT format(E'### %s\n\n%s\n\n', heading, x.intro)
           || string_agg(pg_temp.entry_md(e), E'\n\n' ORDER BY e.ord, e.name COLLATE "C")
      FROM pg_temp.section x JOIN pg_temp.entry e ON e.section = x.id
     WHERE x.id = s
     GROUP BY x.intro
$$;

-------------------------------------------------------------------------------
-- The document: each SELECT prints one block, which psql ends with a newline
-------------------------------------------------------------------------------

SELECT format(E'# sacrosanct %s reference\n\n'
              '<!-- Generated by doc/reference.sh from the catalog and src/: do not edit, run `make reference`. -->\n\n'
              'Every function, table, view, setting and SQLSTATE of the extension, as `CREATE EXTENSION sacrosanct;` '
              'and `SELECT sacrosanct.create_roles();` leave them. The descriptions are the objects'' COMMENTs; '
              'the privileges, keys and triggers are read from the catalog; the SQLSTATEs from `src/sacrosanct.h`, '
              'the `errcode()` calls of `src/*.c` and PostgreSQL''s `utils/errcodes.h`. `doc/reference.sh` '
              '(`make reference`) writes this file, and `make test` fails when it is stale. README.md tells the '
              'story, DESIGN.md holds the contract, doc/pipeline.md the pipeline''s rules.\n\n'
              'Every object is in schema `sacrosanct`. Nothing is granted to PUBLIC; the group roles '
              '`sacrosanct.create_roles()` makes are %s. Grant them to logins (`GRANT sacrosanct_sales TO alice;`). '
              'Superusers may do everything the roles may, and more.',
              e.extversion,
              (SELECT string_agg('`' || pg_get_userbyid(g.role) || '`'
                                 || coalesce(' (a member of ' || (SELECT string_agg('`' || pg_get_userbyid(i.role) || '`', ', '
                                                                                    ORDER BY pg_get_userbyid(i.role) COLLATE "C")
                                                                   FROM inherits i WHERE i.member = g.role) || ')', ''),
                                 ', ' ORDER BY pg_get_userbyid(g.role) COLLATE "C")
                 FROM grp g))
  FROM pg_extension e WHERE e.extname = 'sacrosanct';

-- contents
SELECT E'\n## Contents\n\n' || string_agg(line, E'\n' ORDER BY o1, o2)
  FROM (SELECT 0 AS o1, 0 AS o2, '- [Functions](#functions)' AS line
        UNION ALL SELECT 10, 0, '- [Tables](#tables)'
        UNION ALL SELECT 20, 0, '- [Views](#views)'
        UNION ALL SELECT 30, 0, '- [Settings](#settings)'
        UNION ALL SELECT 40, 0, '- [SQLSTATEs](#sqlstates)'
        UNION ALL SELECT 99, 0, '- [Internal objects](#internal-objects)'
        UNION ALL
        SELECT CASE s.kind WHEN 'function' THEN 0 WHEN 'table' THEN 10 WHEN 'view' THEN 20 ELSE 99 END,
               s.ord,
               '  - ' || CASE WHEN s.id = 'internal' THEN '' ELSE s.title || ': ' END
               || (SELECT string_agg('[' || e.name || '](#' || pg_temp.anchor(e.name) || ')', ', '
                                     ORDER BY e.ord, e.name COLLATE "C")
                     FROM entry e WHERE e.section = s.id)
          FROM section s) t;

-- user-facing: functions, tables, views, each by section
SELECT E'\n## ' || CASE k WHEN 'function' THEN 'Functions' WHEN 'table' THEN 'Tables' ELSE 'Views' END || E'\n\n'
       || CASE k WHEN 'function' THEN 'Grouped by purpose. `EXECUTE` names the group roles that may call each one.'
                 WHEN 'table' THEN 'Each table''s columns, keys, triggers and who may write it. The triggers'' functions are the extension''s own, described under [Internal objects](#internal-objects).'
                 ELSE 'Stable, documented for BI tools: every column has a COMMENT.' END
       || (SELECT string_agg(E'\n\n' || pg_temp.section_md(s.id, s.title), '' ORDER BY s.ord)
             FROM section s WHERE s.kind = k)
  FROM unnest(ARRAY['function', 'table', 'view']) k;

-- settings
SELECT E'\n## Settings\n\n'
       'The settings exist once the library is loaded (the first call of any of its functions). '
       'The plant-wide ones are set once for the plant by a superuser, in postgresql.conf or with '
       '`ALTER DATABASE ... SET`.\n\n'
       '| setting | type | default | range | who may set it | description |\n|---|---|---|---|---|---|\n'
       || string_agg(format('| `%s` | %s | %s | %s | %s | %s |',
                            s.name, s.vartype,
                            CASE WHEN s.boot_val = '' THEN 'empty' ELSE '`' || s.boot_val || '`' END
                            || coalesce(' ' || s.unit, ''),
                            CASE WHEN s.min_val IS NOT NULL
                                 THEN s.min_val || ' to ' || s.max_val || coalesce(' ' || s.unit, '')
                                 WHEN s.enumvals IS NOT NULL THEN array_to_string(s.enumvals, ', ')
                                 ELSE '' END,
                            CASE s.context
                                 WHEN 'user' THEN 'anyone (`SET`, `SET LOCAL`)'
                                 WHEN 'superuser' THEN 'superusers only (`SET`, `ALTER DATABASE ... SET`, postgresql.conf)'
                                 WHEN 'sighup' THEN 'postgresql.conf, then a reload'
                                 WHEN 'postmaster' THEN 'postgresql.conf, then a restart'
                                 ELSE s.context END,
                            pg_temp.md(concat_ws(' ', s.short_desc, s.extra_desc))),
                     E'\n' ORDER BY s.name COLLATE "C")
  FROM pg_settings s WHERE s.name LIKE 'sacrosanct.%';

-- SQLSTATEs raised that neither file defines: a typo in the C code would otherwise vanish
DO $$
DECLARE
    m text;
BEGIN
    SELECT string_agg(DISTINCT r.macro, ', ') INTO m
      FROM src r
     WHERE r.kind = 'raise'
       AND NOT EXISTS (SELECT FROM src d WHERE d.kind IN ('sc', 'code') AND d.macro = r.macro);
    IF m IS NOT NULL THEN
        RAISE EXCEPTION 'doc/reference.sql: no SQLSTATE for %', m;
    END IF;
END
$$;

-- SQLSTATEs
SELECT E'\n## SQLSTATEs\n\n'
       'Every refusal carries a DETAIL with the facts and a HINT with what to do: catch them by SQLSTATE, '
       'never by message. "Where" names the C functions of `src/` that raise each code, with the SQL '
       'name of those that SQL calls.\n\n'
       '### sacrosanct''s own\n\n'
       '| SQLSTATE | C name | when | where |\n|---|---|---|---|\n'
       || (SELECT string_agg(format('| `%s` | `%s` | %s | %s |', s.b, s.macro, pg_temp.md(s.c),
                                    coalesce(pg_temp.where_md(s.macro), 'nowhere')),
                             E'\n' ORDER BY s.b COLLATE "C")
             FROM src s WHERE s.kind = 'sc')
       || E'\n\n### PostgreSQL''s, raised by sacrosanct''s C code\n\n'
       'Bad input is refused with the standard SQLSTATE that fits. The tables'' own keys and checks '
       '(listed with each table) raise PostgreSQL''s usual integrity SQLSTATEs too (23502, 23503, 23505, 23514).\n\n'
       '| SQLSTATE | C name | class | where |\n|---|---|---|---|\n'
       || (SELECT string_agg(format('| `%s` | `%s` | %s | %s |', c.b, c.macro, pg_temp.md(c.c),
                                    pg_temp.where_md(c.macro)),
                             E'\n' ORDER BY c.b COLLATE "C", c.macro COLLATE "C")
             FROM src c
            WHERE c.kind = 'code'
              AND EXISTS (SELECT FROM src r WHERE r.kind = 'raise' AND r.macro = c.macro));

-- internal objects, last
SELECT E'\n## Internal objects\n\n' || s.intro
       || (SELECT string_agg(format(E'\n\n### Internal %s\n\n', k.title)
                             || (SELECT string_agg(pg_temp.entry_md(e), E'\n\n' ORDER BY e.ord, e.name COLLATE "C")
                                   FROM entry e WHERE e.section = s.id AND e.kind = k.kind),
                             '' ORDER BY k.ord)
             FROM (VALUES (1, 'function', 'functions'), (2, 'table', 'tables'), (3, 'view', 'views'),
                          (4, 'sequence', 'sequences')) k(ord, kind, title)
            WHERE EXISTS (SELECT FROM entry e WHERE e.section = s.id AND e.kind = k.kind))
  FROM section s WHERE s.id = 'internal';

ROLLBACK;
