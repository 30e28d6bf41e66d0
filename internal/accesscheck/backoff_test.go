package accesscheck

import (
	"testing"
	"time"
)

func TestPropagationBackoff(t *testing.T) {
	for _, r := range []float64{0, 0.5, 0.999} {
		b := &PropagationBackoff{delay: retryInitialDelay, random: func() float64 { return r }}
		step := retryInitialDelay
		for i := 0; i < 8; i++ {
			wait := b.Next(time.Hour)
			if wait < step/2 || wait > step {
				t.Fatalf("random %v, attempt %d: wait %v outside [%v, %v]", r, i+1, wait, step/2, step)
			}
			step = min(2*step, retryMaxDelay)
		}
		if b.delay != retryMaxDelay {
			t.Errorf("random %v: delay after 8 steps = %v, want the cap %v", r, b.delay, retryMaxDelay)
		}
	}
	if got := NewPropagationBackoff().Next(10 * time.Millisecond); got != 10*time.Millisecond {
		t.Errorf("wait = %v, want it capped at the time remaining (10ms)", got)
	}
}
