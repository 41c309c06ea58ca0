-- The trace of the event that caused a notification, so its notification.* events continue it.
ALTER TABLE notifications ADD COLUMN traceparent text;
