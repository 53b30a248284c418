package device

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestAliveHealthy: each loop of a running device answers, however long
// it means to sleep; a closed device says so instead of hanging.
func TestAliveHealthy(t *testing.T) {
	r := newRig(t, rigOptions{})
	for range 3 {
		if err := r.dev.Alive(context.Background()); err != nil {
			t.Fatalf("Alive: %v", err)
		}
	}
	dev := r.dev
	r.close()
	if err := dev.Alive(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("Alive after Close: %v, want ErrClosed", err)
	}
}

// TestAliveStalledLoop: a loop blocked in its work (the pruning, waiting
// for a write transaction the test holds) makes Alive fail and name it;
// once it can go on, Alive succeeds again.
func TestAliveStalledLoop(t *testing.T) {
	r := newRig(t, rigOptions{})
	if err := r.dev.Alive(context.Background()); err != nil {
		t.Fatalf("Alive: %v", err)
	}
	tx, err := r.store.db.Begin(true)
	if err != nil {
		t.Fatal(err)
	}
	r.dev.kickPrune()
	// The prune loop may answer a ping or two before it takes the kick;
	// once it has, it never answers while the transaction is held.
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		err = r.dev.Alive(ctx)
		cancel()
		if err != nil {
			break
		}
	}
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "prune") {
		t.Errorf("Alive of a stalled device: %v, want the prune loop named", err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := r.dev.Alive(context.Background()); err != nil {
		t.Errorf("Alive after the stall: %v", err)
	}
}
