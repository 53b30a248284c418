package board

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

// runButtons runs b with every pin's edges already queued, so the watcher
// sees a whole bounce at once; it returns the keys reported once all edges
// are consumed and Run has returned.
func runButtons(t *testing.T, b *Buttons, edges map[*gpiotest.Pin][]gpio.Level, want int) []Key {
	t.Helper()
	for p, ls := range edges {
		for _, l := range ls {
			p.EdgesChan <- l
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var mu sync.Mutex
	var got []Key
	seen := make(chan struct{}, 16)
	done := make(chan error, 1)
	go func() {
		done <- b.Run(ctx, func(k Key) {
			mu.Lock()
			got = append(got, k)
			mu.Unlock()
			seen <- struct{}{}
		})
	}()
	for range want {
		<-seen
	}
	// A wrong key would come from an edge still queued; wait for them all.
	for p := range edges {
		for len(p.EdgesChan) > 0 {
			time.Sleep(time.Millisecond)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(got)
	return got
}

func testPin(name string) *gpiotest.Pin {
	return &gpiotest.Pin{N: name, EdgesChan: make(chan gpio.Level, 16)}
}

func TestButtons(t *testing.T) {
	const L, H = gpio.Low, gpio.High
	tests := []struct {
		name  string
		ok    []gpio.Level // edges on the OK button
		start []gpio.Level // edges on the Start button
		held  bool         // OK already held when Run starts
		want  []Key
	}{
		{"bounce within the window is one press", []gpio.Level{L, H, L, H, L}, nil, false, []Key{KeyOK}},
		{"held is one press", []gpio.Level{L}, nil, false, []Key{KeyOK}},
		{"bounce ending released is none", []gpio.Level{L, H, L, H}, nil, false, nil},
		{"two buttons at once", []gpio.Level{L, H, L}, []gpio.Level{L}, false, []Key{KeyOK, KeyStart}},
		{"held since start, then noise, is no press", []gpio.Level{H, L}, []gpio.Level{L}, true, []Key{KeyStart}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, start := testPin("ok"), testPin("start")
			b, err := NewButtons([]Button{{ok, KeyOK}, {start, KeyStart}},
				ButtonConfig{Pull: gpio.PullUp, Denoise: time.Millisecond, Poll: 10 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			if tt.held {
				ok.L = L // pressed before the daemon started
			}
			got := runButtons(t, b, map[*gpiotest.Pin][]gpio.Level{ok: tt.ok, start: tt.start}, len(tt.want))
			if !slices.Equal(got, tt.want) {
				t.Errorf("keys %v, want %v", got, tt.want)
			}
		})
	}
}
