package actor

import "testing"

// The spinner backs off exponentially while spins time out and recovers
// by halves as they pay off, so slow answers leave it almost always off.
func TestSpinnerBacksOffWhileSpinsTimeOut(t *testing.T) {
	type step struct {
		paysOff  bool // outcome of the wait, if it spun
		wantSpin bool
		wantSkip int // skip after the wait
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"spins that pay off keep spinning", []step{{true, true, 0}, {true, true, 0}, {true, true, 0}}},
		{"one timeout skips one wait", []step{{false, true, 1}, {true, false, 0}, {true, true, 0}}},
		{"timeouts in a row skip 1, 3, 7 waits", []step{
			{false, true, 1}, {false, false, 0},
			{false, true, 3}, {false, false, 2}, {false, false, 1}, {false, false, 0},
			{false, true, 7},
		}},
		{"a pay-off halves the backoff", []step{
			{false, true, 1}, {false, false, 0}, {false, true, 3}, {false, false, 2}, {false, false, 1}, {false, false, 0},
			{true, true, 0}, // backoff 3 -> 1
			{false, true, 3},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sp := newSpinner(MaxSpinWait)
			for i, st := range tc.steps {
				until, spin := sp.start(100)
				if spin != st.wantSpin {
					t.Fatalf("wait %d: spin %v, want %v", i, spin, st.wantSpin)
				}
				if spin {
					if until != 100+int64(MaxSpinWait) {
						t.Fatalf("wait %d: spins until %d, want %d", i, until, 100+int64(MaxSpinWait))
					}
					if st.paysOff {
						sp.paidOff()
					} else {
						sp.timedOut()
					}
				}
				if sp.skip != st.wantSkip {
					t.Fatalf("wait %d: skip %d, want %d", i, sp.skip, st.wantSkip)
				}
			}
		})
	}
}

// Timeouts in a row never make the connection skip more than spinMaxSkip
// waits, so a server that becomes fast again is noticed.
func TestSpinnerSkipIsBounded(t *testing.T) {
	sp := newSpinner(MaxSpinWait)
	for range 20 {
		sp.timedOut()
	}
	if sp.skip != spinMaxSkip || sp.backoff != spinMaxSkip {
		t.Errorf("after 20 timeouts: skip %d, backoff %d; want %d", sp.skip, sp.backoff, spinMaxSkip)
	}
	if newSpinner(0) != nil || newSpinner(-1) != nil {
		t.Error("a SpinWait of zero or less made a spinner")
	}
}
