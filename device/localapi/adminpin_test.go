package localapi_test

import (
	"context"
	"testing"

	"scanmail/device/apitype"
	"scanmail/device/localclient"
)

// TestPINOverSocket: the admin PIN through the local API: set by the
// first admin, checked, changed with the old one, held back after three
// wrong ones (the time of the next try in the error), and reset at the
// board, after which anyone sets it again.
func TestPINOverSocket(t *testing.T) {
	c := serve(t)
	ctx := context.Background()
	code := func(err error) apitype.ErrorCode { return localclient.ErrorCode(err) }
	if st, err := c.PIN(ctx); err != nil || st.Set {
		t.Fatalf("a new device: %+v %v", st, err)
	}
	if _, err := c.SetPIN(ctx, "", "12ab"); code(err) != apitype.CodeInvalidRequest {
		t.Fatalf("a PIN with letters: %v", err)
	}
	if st, err := c.SetPIN(ctx, "", "2580"); err != nil || !st.Set {
		t.Fatalf("set: %+v %v", st, err)
	}
	if _, err := c.CheckPIN(ctx, "2580"); err != nil {
		t.Fatalf("the right PIN: %v", err)
	}
	if _, err := c.SetPIN(ctx, "2580", "97531"); err != nil {
		t.Fatalf("change: %v", err)
	}
	for i := range 3 {
		if _, err := c.CheckPIN(ctx, "2580"); code(err) != apitype.CodePINWrong {
			t.Fatalf("wrong PIN %d: %v", i+1, err)
		}
	}
	_, err := c.CheckPIN(ctx, "97531")
	le, _ := err.(*localclient.Error)
	if code(err) != apitype.CodePINLocked || le == nil || le.RetryAt.IsZero() || le.Hint == "" {
		t.Fatalf("after three wrong PINs: %#v", err)
	}
	if st, err := c.PIN(ctx); err != nil || st.Failures != 3 || !st.RetryAt.Equal(le.RetryAt) {
		t.Fatalf("the state while held back: %+v %v, want 3 failures and retry at %v", st, err, le.RetryAt)
	}
	if st, err := c.ResetPIN(ctx); err != nil || st.Set || st.Failures != 0 {
		t.Fatalf("reset: %+v %v", st, err)
	}
	if _, err := c.CheckPIN(ctx, "97531"); code(err) != apitype.CodePINNotSet {
		t.Fatalf("after reset: %v", err)
	}
	if _, err := c.SetPIN(ctx, "", "8642"); err != nil {
		t.Fatalf("set after reset: %v", err)
	}
}
