-- When tracking saw a stop's progress (stop.arrived, order.delivered, order.delivery_failed):
-- a re-plan continues a started vehicle from its last stop at that time.
ALTER TABLE pending_orders ADD COLUMN progress_at timestamptz;
