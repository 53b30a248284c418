package spilinktest_test

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/physic"
	"periph.io/x/conn/v3/spi"

	"scanmail/scan/spilink/spilinktest"
)

// The packets are written out here from scan/spilink's documentation.

const n = 64

func packet(dir, seq byte, payload string) []byte {
	p := make([]byte, n)
	p[0], p[1], p[2], p[3] = 0xA5, dir, 1, seq
	p[4], p[5] = byte(len(payload)), byte(len(payload)>>8)
	copy(p[6:], payload)
	return p
}

func host(seq byte, payload string) []byte { return packet('H', seq, payload) }

// tx makes one transfer and returns what the engine sent.
func tx(t *testing.T, e *spilinktest.Engine, w []byte) []byte {
	t.Helper()
	r := make([]byte, len(w))
	if err := e.Tx(w, r); err != nil {
		t.Fatal(err)
	}
	return r
}

// edge reports whether data-ready has an edge pending, and takes it.
func edge(e *spilinktest.Engine) bool {
	select {
	case <-e.Ready().EdgesChan:
		return true
	default:
		return false
	}
}

func write(t *testing.T, e *spilinktest.Engine, s string) {
	t.Helper()
	if _, err := e.Stream().Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, e *spilinktest.Engine) string {
	t.Helper()
	buf := make([]byte, 1000)
	k, err := e.Stream().Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	return string(buf[:k])
}

// TestExchange walks the engine through its rules one transfer at a time.
func TestExchange(t *testing.T) {
	for _, activeLow := range []bool{false, true} {
		asserted, released := gpio.High, gpio.Low
		if activeLow {
			asserted, released = gpio.Low, gpio.High
		}
		t.Run(asserted.String()+" active", func(t *testing.T) {
			e := spilinktest.New(spilinktest.Options{PacketSize: n, FirstSeq: 255, ActiveLow: activeLow})
			defer e.Close()
			if e.Ready().Read() != released || edge(e) {
				t.Fatal("data-ready asserted by an engine with nothing to send")
			}
			// The first packet: empty, with the chosen seq, even with bytes
			// queued; they make the engine assert data-ready.
			write(t, e, "hello")
			if e.Ready().Read() != asserted || !edge(e) {
				t.Fatal("data-ready not asserted with bytes queued")
			}
			if got, want := tx(t, e, host(0, "")), packet('E', 255, ""); !bytes.Equal(got, want) {
				t.Fatalf("first packet % x, want % x", got[:8], want[:8])
			}
			if e.Ready().Read() != asserted || !edge(e) {
				t.Fatal("data-ready not asserted again for the packet with payload")
			}
			if got, want := tx(t, e, host(1, "abc")), packet('E', 0, "hello"); !bytes.Equal(got, want) {
				t.Fatalf("second packet % x, want % x", got[:12], want[:12])
			}
			if e.Ready().Read() != released || edge(e) {
				t.Fatal("data-ready still asserted with nothing to send")
			}
			if got := read(t, e); got != "abc" {
				t.Fatalf("read %q", got)
			}
			// A retransmission: its payload is dropped.
			tx(t, e, host(1, "abc"))
			tx(t, e, host(2, "de"))
			if got := read(t, e); got != "de" {
				t.Fatalf("read %q after a retransmission, want %q", got, "de")
			}
			st := e.Stats()
			want := spilinktest.Stats{Transfers: 4, Taken: 3, Repeats: 1, BytesIn: 5, BytesOut: 5}
			if st != want {
				t.Errorf("stats %+v, want %+v", st, want)
			}
			if err := e.Err(); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestFlowControl fills the engine's input: it arms nothing until the
// stream is read, ignores what the host sends meanwhile, and then asserts
// data-ready to end the host's back-off.
func TestFlowControl(t *testing.T) {
	full := strings.Repeat("x", n-6)
	for _, tt := range []struct {
		idle spilinktest.Idle
		want []byte // MISO with nothing armed
	}{
		{spilinktest.IdleLow, make([]byte, n)},
		{spilinktest.IdleHigh, bytes.Repeat([]byte{0xFF}, n)},
		{spilinktest.IdleStale, packet('E', 1, "")},
	} {
		e := spilinktest.New(spilinktest.Options{PacketSize: n, Idle: tt.idle})
		tx(t, e, host(0, ""))
		tx(t, e, host(1, full))
		if got := tx(t, e, host(2, "lost")); !bytes.Equal(got, tt.want) {
			t.Errorf("idle %d: MISO % x with the input full, want % x", tt.idle, got[:8], tt.want[:8])
		}
		if edge(e) {
			t.Errorf("idle %d: data-ready asserted with the input full", tt.idle)
		}
		if got := read(t, e); got != full {
			t.Errorf("idle %d: read %q", tt.idle, got)
		}
		if !edge(e) {
			t.Errorf("idle %d: no data-ready after the host found nothing armed", tt.idle)
		}
		tx(t, e, host(2, "again"))
		if got := read(t, e); got != "again" {
			t.Errorf("idle %d: read %q, want the repeated packet", tt.idle, got)
		}
		if st := e.Stats(); st.Void != 1 || st.Taken != 3 {
			t.Errorf("idle %d: stats %+v", tt.idle, st)
		}
		e.Close()
	}
}

// TestHostRules: the engine reports every breach of the host's rules it
// can see.
func TestHostRules(t *testing.T) {
	padded := host(1, "a")
	padded[n-1] = 1
	wrapping := [][]byte{host(0, "")}
	for i := 1; i <= 256; i++ {
		wrapping = append(wrapping, host(byte(i), "a"))
	}
	tests := []struct {
		name    string
		packets [][]byte
		want    string // "" for none
	}{
		{"in order", [][]byte{host(0, ""), host(1, "a"), host(1, "a"), host(2, "")}, ""},
		{"a new Link", [][]byte{host(0, ""), host(1, "a"), host(0, ""), host(1, "b")}, ""},
		{"wrapping", wrapping, ""},
		{"first packet", [][]byte{host(3, "")}, "first packet has seq 3"},
		{"packet 0 with payload", [][]byte{host(0, "a")}, "first packet has seq 0 and 1 bytes"},
		{"retransmission differs", [][]byte{host(0, ""), host(1, "a"), host(1, "b")}, "host packet 1 sent again with other bytes"},
		{"seq skips", [][]byte{host(0, ""), host(2, "")}, "seq 2 follows 0"},
		{"engine packet on MOSI", [][]byte{packet('E', 0, "")}, "MOSI carries no host packet"},
		{"padding", [][]byte{host(0, ""), padded}, "non-zero padding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := spilinktest.New(spilinktest.Options{PacketSize: n})
			defer e.Close()
			for _, p := range tt.packets {
				tx(t, e, p)
			}
			err := e.Err()
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("Err() = %v, want %q", err, tt.want)
			}
		})
	}
	e := spilinktest.New(spilinktest.Options{PacketSize: n})
	defer e.Close()
	if err := e.Tx(make([]byte, n), make([]byte, n-1)); err == nil || e.Err() == nil {
		t.Errorf("a short transfer: Tx %v, Err %v", err, e.Err())
	}
}

// TestFaultHooks: Busy leaves a transfer unarmed, and Damage changes what
// crosses the wires, both ways.
func TestFaultHooks(t *testing.T) {
	e := spilinktest.New(spilinktest.Options{
		PacketSize: n,
		Busy:       func(i int) bool { return i == 1 },
		Damage: func(i int, mosi, miso []byte) {
			if i == 2 {
				mosi[0], miso[0] = 0, 0
			}
		},
	})
	defer e.Close()
	tx(t, e, host(0, ""))
	if got := tx(t, e, host(1, "a")); !bytes.Equal(got, make([]byte, n)) {
		t.Errorf("busy: MISO % x", got[:8])
	}
	if got := tx(t, e, host(1, "a")); got[0] != 0 || got[1] != 'E' {
		t.Errorf("damaged: MISO % x", got[:8])
	}
	if st := e.Stats(); st.Void != 1 || st.Invalid != 1 || st.Taken != 1 {
		t.Errorf("stats %+v", st)
	}
	if err := e.Err(); err != nil {
		t.Errorf("Err() = %v: damage is not the host's fault", err)
	}
}

func TestClose(t *testing.T) {
	e := spilinktest.New(spilinktest.Options{PacketSize: n, OutputBuffer: 4})
	write(t, e, "full")
	errs := make(chan error, 2)
	go func() {
		_, err := e.Stream().Read(make([]byte, 10))
		errs <- err
	}()
	go func() {
		_, err := e.Stream().Write([]byte("blocked"))
		errs <- err
	}()
	time.Sleep(50 * time.Millisecond)
	e.Close()
	for range 2 {
		select {
		case err := <-errs:
			if !errors.Is(err, os.ErrClosed) {
				t.Errorf("blocked call returned %v, want os.ErrClosed", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a stream call still blocked after Close")
		}
	}
	if err := e.Tx(host(0, ""), make([]byte, n)); err == nil {
		t.Error("Tx after Close succeeded")
	}
}

func TestConnect(t *testing.T) {
	e := spilinktest.New(spilinktest.Options{})
	defer e.Close()
	if _, err := e.Connect(physic.MegaHertz, spi.Mode1, 8); err == nil {
		t.Error("mode 1 accepted")
	}
	if _, err := e.Connect(physic.MegaHertz, spi.Mode0, 16); err == nil {
		t.Error("16-bit words accepted")
	}
	c, err := e.Connect(physic.MegaHertz, spi.Mode0, 8)
	if err != nil || c != spi.Conn(e) {
		t.Fatalf("Connect = %v, %v", c, err)
	}
	if _, err := e.Connect(physic.MegaHertz, spi.Mode0, 8); err == nil {
		t.Error("second Connect accepted")
	}
}
