package spilink

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"periph.io/x/conn/v3"
	"periph.io/x/conn/v3/conntest"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
	"periph.io/x/conn/v3/physic"
	"periph.io/x/conn/v3/spi"
	"periph.io/x/conn/v3/spi/spitest"
)

// The packets are written out here from the package documentation, not
// with encode, so the tests check the documented format.

func enginePacket(n int, seq byte, payload []byte) []byte {
	return packet(n, 'E', seq, payload)
}

func hostPacket(n int, seq byte, payload []byte) []byte {
	return packet(n, 'H', seq, payload)
}

func packet(n int, dir, seq byte, payload []byte) []byte {
	p := make([]byte, n)
	p[0], p[1], p[2], p[3] = 0xA5, dir, 1, seq
	p[4], p[5] = byte(len(payload)), byte(len(payload)>>8)
	copy(p[6:], payload)
	return p
}

// hookConn lets a test play the engine's data-ready line around each
// transfer of a scripted conn, as the engine does around chip select.
type hookConn struct {
	spi.Conn
	before, after func(i int)
	n             int
}

func (c *hookConn) Tx(w, r []byte) error {
	if c.before != nil {
		c.before(c.n)
	}
	err := c.Conn.Tx(w, r)
	if err == nil && c.after != nil {
		c.after(c.n)
	}
	c.n++
	return err
}

func newPin() *gpiotest.Pin {
	return &gpiotest.Pin{N: "READY", Num: 17, EdgesChan: make(chan gpio.Level, 4)}
}

func random(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// readN reads n bytes from l, taking timeouts as "not yet", and gives up
// when nothing arrived for idle.
func readN(l *Link, n int, idle time.Duration) ([]byte, error) {
	got := make([]byte, 0, n)
	buf := make([]byte, 3000)
	last := time.Now()
	for len(got) < n {
		if time.Since(last) > idle {
			return got, fmt.Errorf("nothing arrived for %v", idle)
		}
		k, err := l.Read(buf)
		if k > 0 {
			got = append(got, buf[:k]...)
			last = time.Now()
		}
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			return got, err
		}
	}
	return got, nil
}

// transferAction is what the engine's side does after one transfer.
type transferAction struct {
	write []byte // the host writes these bytes (from the hook, so the next new packet takes them)
	edge  bool   // the engine asserts data-ready again
}

// exchange is a scripted session: the transfers the host must make, given
// the engine's answers, and what happens between them.
type exchange struct {
	ops        []conntest.IO
	actions    []transferAction
	initial    []byte // written before the first transfer
	hostData   []byte // everything the host writes, in order
	engineData []byte
}

// script models both sides by the package documentation's rules. Every
// 37th transfer finds the engine not armed (an idle line) and every 53rd
// repeats the engine's previous packet; the host must resend its packet
// unchanged after both.
func script(n int, engineBytes int, hostWrites map[int]int, seed uint64) exchange {
	rng := rand.New(rand.NewPCG(seed, uint64(n)))
	limit := n - HeaderSize
	var x exchange
	x.engineData = random(rng, engineBytes)
	var chunks [][]byte
	for rest := x.engineData; len(rest) > 0; {
		k := limit
		if rng.IntN(2) == 0 {
			k = 1 + rng.IntN(limit)
		}
		k = min(k, len(rest))
		chunks = append(chunks, rest[:k])
		rest = rest[k:]
	}
	x.initial = random(rng, 2*limit+limit/2)
	x.hostData = append(x.hostData, x.initial...)
	queue := append([]byte(nil), x.initial...)

	var (
		hostSeq   byte
		engSeq    byte = 200
		delivered bool
		pendingW  []byte
		lastR     []byte
		next      int // next engine chunk
	)
	for i := 0; ; i++ {
		w := pendingW
		if w == nil {
			var p []byte
			if delivered {
				k := min(len(queue), limit)
				p, queue = queue[:k], queue[k:]
			}
			w = hostPacket(n, hostSeq, p)
		}
		var r []byte
		void := false
		switch {
		case i > 0 && i%37 == 5:
			r, void = make([]byte, n), true
			if i%2 == 1 {
				r = bytes.Repeat([]byte{0xFF}, n)
			}
		case lastR != nil && i%53 == 7:
			r, void = lastR, true
		default:
			var c []byte
			if next < len(chunks) {
				c = chunks[next]
				next++
			}
			r = enginePacket(n, engSeq, c)
			engSeq++
			lastR = r
		}
		x.ops = append(x.ops, conntest.IO{W: w, R: r})
		if void {
			pendingW = w
		} else {
			pendingW, delivered = nil, true
			hostSeq++
		}
		var act transferAction
		if size, ok := hostWrites[i]; ok {
			act.write = random(rng, size)
			queue = append(queue, act.write...)
			x.hostData = append(x.hostData, act.write...)
		}
		hostSends := pendingW != nil || len(queue) > 0
		engineHas := next < len(chunks)
		act.edge = !hostSends && engineHas
		x.actions = append(x.actions, act)
		if !hostSends && !engineHas {
			return x
		}
	}
}

// TestExchange runs scripted sessions in which the engine sends 300 KB
// while the host writes at several points.
func TestExchange(t *testing.T) {
	tests := []struct {
		name       string
		packet     int
		rxBuffer   int
		hostWrites map[int]int // transfer index → bytes written after it
	}{
		{"small packets", 64, 0, map[int]int{20: 58, 40: 5, 41: 1000, 900: 3}},
		{"1 KiB packets, small receive buffer", 1024, 8 << 10, map[int]int{3: 1018, 10: 1, 11: 20000}},
		{"default packets", 0, 0, map[int]int{1: 7, 30: 4090, 31: 4091}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := tt.packet
			if n == 0 {
				n = DefaultPacketSize
			}
			x := script(n, 300<<10, tt.hostWrites, 7)
			pb := &spitest.Playback{Playback: conntest.Playback{Ops: x.ops, DontPanic: true}}
			rec := &spitest.Record{Port: pb}
			c, err := rec.Connect(8*physic.MegaHertz, spi.Mode0, 8)
			if err != nil {
				t.Fatal(err)
			}
			pin := newPin()
			var l *Link
			hc := &hookConn{Conn: c, after: func(i int) {
				if i >= len(x.actions) {
					return
				}
				if a := x.actions[i]; a.write != nil {
					if _, err := l.Write(a.write); err != nil {
						t.Errorf("Write after transfer %d: %v", i, err)
					}
				}
				if x.actions[i].edge {
					pin.EdgesChan <- gpio.High
				}
			}}
			l, err = New(hc, pin, Options{PacketSize: tt.packet, ReadTimeout: 200 * time.Millisecond, ReceiveBuffer: tt.rxBuffer})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			if pin.Pull() != gpio.PullDown {
				t.Errorf("data-ready pull = %s, want PullDown", pin.Pull())
			}
			if _, err := l.Write(x.initial); err != nil {
				t.Fatal(err)
			}

			got, err := readN(l, len(x.engineData), 5*time.Second)
			if err != nil {
				rec.Lock()
				done := len(rec.Ops)
				rec.Unlock()
				t.Fatalf("after %d of %d bytes, %d of %d transfers: %v", len(got), len(x.engineData), done, len(x.ops), err)
			}
			if !bytes.Equal(got, x.engineData) {
				t.Fatal("the bytes read differ from the engine's")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := l.Flush(ctx); err != nil {
				t.Fatalf("Flush: %v", err)
			}
			// No transfer beyond the script: one would fail the Link.
			if k, err := l.Read(make([]byte, 1)); k != 0 || !errors.Is(err, ErrTimeout) {
				t.Fatalf("final Read = %d, %v; want ErrTimeout", k, err)
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			if err := pb.Close(); err != nil {
				t.Errorf("playback: %v", err)
			}

			// The host's bytes are in the recorded MOSI packets, once each.
			var sent []byte
			var prev []byte
			for _, op := range rec.Ops {
				if bytes.Equal(op.W, prev) {
					continue // a retransmission
				}
				prev = op.W
				length := int(op.W[4]) | int(op.W[5])<<8
				sent = append(sent, op.W[6:6+length]...)
			}
			if !bytes.Equal(sent, x.hostData) {
				t.Errorf("MOSI carried %d bytes, the host wrote %d; they differ", len(sent), len(x.hostData))
			}
		})
	}
}

// TestLevelTriggered drives the host with data-ready's level only: the
// engine holds the line while it has packets and releases it during each
// transfer, and no edge is ever reported.
func TestLevelTriggered(t *testing.T) {
	for _, activeLow := range []bool{false, true} {
		t.Run(map[bool]string{false: "active high", true: "active low"}[activeLow], func(t *testing.T) {
			const n = 64
			asserted, released := gpio.High, gpio.Low
			if activeLow {
				asserted, released = gpio.Low, gpio.High
			}
			rng := rand.New(rand.NewPCG(3, 4))
			var ops []conntest.IO
			var want []byte
			for i := range 6 {
				chunk := random(rng, 10+i*9)
				want = append(want, chunk...)
				ops = append(ops, conntest.IO{W: hostPacket(n, byte(i), nil), R: enginePacket(n, byte(90+i), chunk)})
			}
			pb := &spitest.Playback{Playback: conntest.Playback{Ops: ops, DontPanic: true}}
			c, err := pb.Connect(physic.MegaHertz, spi.Mode0, 8)
			if err != nil {
				t.Fatal(err)
			}
			pin := newPin()
			hc := &hookConn{
				Conn:   c,
				before: func(int) { pin.Out(released) },
				after: func(i int) {
					if i+1 < len(ops) {
						pin.Out(asserted)
					}
				},
			}
			l, err := New(hc, pin, Options{PacketSize: n, Level: true, ActiveLow: activeLow, ReadTimeout: 200 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			wantPull := map[bool]gpio.Pull{false: gpio.PullDown, true: gpio.PullUp}[activeLow]
			if pin.Pull() != wantPull {
				t.Errorf("pull = %s, want %s", pin.Pull(), wantPull)
			}
			pin.Out(asserted)
			got, err := readN(l, len(want), 10*time.Second)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("read %d of %d bytes: %v", len(got), len(want), err)
			}
			if k, err := l.Read(make([]byte, 1)); k != 0 || !errors.Is(err, ErrTimeout) {
				t.Fatalf("final Read = %d, %v; want ErrTimeout", k, err)
			}
			l.Close()
			if err := pb.Close(); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestEngineErrors feeds malformed packets and a failing transfer: the
// Link hands over what it already had, then fails with a clear error, for
// Read and Write alike, and never panics.
func TestEngineErrors(t *testing.T) {
	const n = 256
	first := enginePacket(n, 9, []byte("hello"))
	tooLong := enginePacket(n, 10, nil)
	tooLong[4], tooLong[5] = n-HeaderSize+1, 0
	huge := enginePacket(n, 10, nil)
	huge[4], huge[5] = 0xFF, 0xFF
	version := enginePacket(n, 10, []byte("x"))
	version[2] = 2
	tests := []struct {
		name      string
		second    []byte // the engine's packet in the second transfer; nil: no second transfer is scripted
		malformed bool
		want      string
	}{
		{"length beyond the packet", tooLong, true, "payload length 251 in a 256-byte packet (at most 250)"},
		{"length 65535", huge, true, "payload length 65535"},
		{"other version", version, true, "packet version 2, want 1"},
		{"MOSI echoed", hostPacket(n, 1, nil), true, "looped back"},
		{"transfer fails", nil, false, "unexpected Tx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ops := []conntest.IO{{W: hostPacket(n, 0, nil), R: first}}
			if tt.second != nil {
				ops = append(ops, conntest.IO{W: hostPacket(n, 1, nil), R: tt.second})
			}
			pb := &spitest.Playback{Playback: conntest.Playback{Ops: ops, DontPanic: true}}
			pin := newPin()
			l, err := Open(pb, pin, 4*physic.MegaHertz, Options{PacketSize: n, ReadTimeout: 100 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			pin.EdgesChan <- gpio.High
			got, err := readN(l, 5, 5*time.Second)
			if err != nil || string(got) != "hello" {
				t.Fatalf("first packet: %q, %v", got, err)
			}
			pin.EdgesChan <- gpio.High
			var readErr error
			for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
				k, err := l.Read(make([]byte, 10))
				if k != 0 {
					t.Fatalf("Read returned %d more bytes", k)
				}
				if err != nil && !errors.Is(err, ErrTimeout) {
					readErr = err
					break
				}
			}
			if readErr == nil {
				t.Fatal("no error from Read")
			}
			if errors.Is(readErr, ErrMalformed) != tt.malformed || !strings.Contains(readErr.Error(), tt.want) {
				t.Errorf("Read error %q; want ErrMalformed %v and %q", readErr, tt.malformed, tt.want)
			}
			if _, err := l.Read(make([]byte, 1)); err != readErr {
				t.Errorf("second Read = %v", err)
			}
			if _, err := l.Write([]byte("x")); err != readErr {
				t.Errorf("Write = %v", err)
			}
			if err := l.Flush(context.Background()); err != readErr {
				t.Errorf("Flush = %v", err)
			}
			l.Close()
			if err := pb.Close(); err != nil {
				t.Errorf("playback: %v", err)
			}
		})
	}
}

func TestReadTimeout(t *testing.T) {
	const timeout = 200 * time.Millisecond
	pb := &spitest.Playback{Playback: conntest.Playback{DontPanic: true}}
	l, err := Open(pb, newPin(), physic.MegaHertz, Options{ReadTimeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	start := time.Now()
	n, err := l.Read(make([]byte, 10))
	elapsed := time.Since(start)
	if n != 0 || !errors.Is(err, ErrTimeout) || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Read = %d, %v; want a timeout", n, err)
	}
	var te interface{ Timeout() bool }
	if !errors.As(err, &te) || !te.Timeout() {
		t.Errorf("%v has no Timeout() true", err)
	}
	if elapsed < timeout || elapsed > 2*timeout {
		t.Errorf("Read returned after %v; want %v … %v", elapsed, timeout, 2*timeout)
	}
}

func TestCloseUnblocksRead(t *testing.T) {
	pb := &spitest.Playback{Playback: conntest.Playback{DontPanic: true}}
	l, err := Open(pb, newPin(), physic.MegaHertz, Options{ReadTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := l.Read(make([]byte, 10))
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, os.ErrClosed) {
			t.Errorf("blocked Read = %v; want os.ErrClosed", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Read still blocked 2 s after Close")
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("Close took %v", d)
	}
	if _, err := l.Write([]byte("x")); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Write after Close = %v", err)
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

// limitedConn is a conn whose driver has a transfer size limit, as spidev
// reports its bufsiz.
type limitedConn struct {
	spi.Conn
	max int
}

func (c limitedConn) MaxTxSize() int { return c.max }

func TestNewErrors(t *testing.T) {
	full := &conntest.Discard{D: conn.Full}
	tests := []struct {
		name string
		conn spi.Conn
		pin  gpio.PinIn
		opts Options
		want string
	}{
		{"packet too small", fakeConn{full}, newPin(), Options{PacketSize: 8}, "packet size 8 out of range"},
		{"packet too large", fakeConn{full}, newPin(), Options{PacketSize: 70000}, "packet size 70000 out of range"},
		{"negative timeout", fakeConn{full}, newPin(), Options{ReadTimeout: -1}, "negative"},
		{"half duplex", fakeConn{&conntest.Discard{D: conn.Half}}, newPin(), Options{}, "half duplex"},
		{"spidev limit", limitedConn{fakeConn{full}, 1024}, newPin(), Options{}, "exceeds discard's transfer limit of 1024"},
		{"pin without edges", fakeConn{full}, &gpiotest.Pin{N: "READY"}, Options{}, "data-ready pin READY"},
		{"no pin", fakeConn{full}, nil, Options{}, "no SPI connection or data-ready pin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := New(tt.conn, tt.pin, tt.opts)
			if err == nil {
				l.Close()
				t.Fatal("New succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

// fakeConn makes a conntest conn an spi.Conn.
type fakeConn struct{ conn.Conn }

func (fakeConn) TxPackets([]spi.Packet) error { return errors.New("not used") }
