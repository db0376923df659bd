-- depends: 0001_event_store
-- The outbox row and its event are written by one statement (eventstore.py)
-- and events are never deleted, so the foreign key guarded nothing; its
-- per-row check cost the append about a third of a batch's time.
ALTER TABLE outbox DROP CONSTRAINT IF EXISTS outbox_event_position_fkey;
