package accesscheck

import "time"

// SetClock replaces the Checker's clock, for tests of expiry.
func SetClock(c *Checker, now func() time.Time) { c.now = now }
