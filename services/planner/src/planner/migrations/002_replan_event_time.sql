-- The newest time carried by the events that asked for a re-plan (a stop's arrival, a route's
-- completion): the re-plan schedules nothing before it, even when those events run ahead of
-- the planner's wall clock (a simulated day).
ALTER TABLE replan_requests ADD COLUMN event_time timestamptz;
