package board

import (
	"context"
	"slices"
	"testing"
	"time"
	"unicode"

	"github.com/jonboulle/clockwork"
	"periph.io/x/conn/v3/gpio"
)

func TestParseKey(t *testing.T) {
	for k := KeyUp; k <= KeyHash; k++ {
		got, err := ParseKey(k.String())
		if err != nil || got != k {
			t.Errorf("ParseKey(%q) = %v, %v; want %v", k.String(), got, err, k)
		}
	}
	for _, s := range []string{"", "none", "enter", "10"} {
		if _, err := ParseKey(s); err == nil {
			t.Errorf("ParseKey(%q) accepted", s)
		}
	}
}

func TestRuneKey(t *testing.T) {
	for _, r := range []rune{'a', 'Z', ' ', '@', '.', '0', 'é', 0, unicode.MaxRune} {
		k := RuneKey(r)
		if got, ok := k.Rune(); !ok || got != r {
			t.Errorf("RuneKey(%q).Rune() = %q, %v", r, got, ok)
		}
		if k <= KeyHash {
			t.Errorf("RuneKey(%q) = %d is a named key", r, k)
		}
		if _, err := ParseKey(k.String()); err == nil {
			t.Errorf("ParseKey(%q) accepted a rune key as a setting", k.String())
		}
	}
	if got := RuneKey('a').String(); got != "'a'" {
		t.Errorf("RuneKey('a') is %s, want 'a'", got)
	}
	for _, r := range []rune{-1, unicode.MaxRune + 1} {
		if k := RuneKey(r); k != KeyNone {
			t.Errorf("RuneKey(%d) = %v, want none", r, k)
		}
	}
	for k := KeyNone; k <= KeyHash; k++ {
		if r, ok := k.Rune(); ok {
			t.Errorf("%v types %q", k, r)
		}
	}
}

// TestSources reads a button and a keypad as one panel.
func TestSources(t *testing.T) {
	clock := clockwork.NewFakeClock()
	k, m := newKeypad(t, clock)
	ok := testPin("ok")
	b, err := NewButtons([]Button{{ok, KeyOK}}, ButtonConfig{Pull: gpio.PullUp, Denoise: time.Millisecond, Poll: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ok.EdgesChan <- gpio.Low
	k.set(0, 2, true)

	ctx, cancel := context.WithCancel(t.Context())
	keys := make(chan Key, 2)
	done := make(chan error, 1)
	go func() { done <- Sources{b, m}.Run(ctx, func(key Key) { keys <- key }) }()
	var got []Key
	for len(got) < 2 {
		if err := clock.BlockUntilContext(ctx, 1); err != nil {
			t.Fatal(err)
		}
		clock.Advance(10 * time.Millisecond)
		select {
		case key := <-keys:
			got = append(got, key)
		default:
			time.Sleep(time.Millisecond) // let the scan run; the fake clock is what counts
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if want := []Key{KeyOK, Key3}; !slices.Equal(got, want) {
		t.Errorf("keys %v, want %v", got, want)
	}
}
