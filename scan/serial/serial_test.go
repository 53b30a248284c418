package serial

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// openPair opens a pty and the serial port on its slave side. The master is
// the engine's end of the cable.
func openPair(t *testing.T, readTimeout time.Duration) (master *os.File, port io.ReadWriteCloser) {
	t.Helper()
	master, slave, err := pty.Open()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	port, err = Open(context.Background(), Config{Path: slave.Name(), Baud: 3000000, ReadTimeout: readTimeout})
	if err != nil {
		master.Close()
		slave.Close()
		t.Fatal(err)
	}
	// The port has its own descriptor; this one only kept the pty open.
	slave.Close()
	t.Cleanup(func() {
		port.Close()
		master.Close()
	})
	return master, port
}

// readAll reads n bytes from r, taking ErrTimeout as "not yet".
func readAll(r io.Reader, n int, limit time.Duration) ([]byte, error) {
	got := make([]byte, 0, n)
	buf := make([]byte, 4096)
	deadline := time.Now().Add(limit)
	for len(got) < n {
		if time.Now().After(deadline) {
			return got, errors.New("gave up waiting")
		}
		k, err := r.Read(buf[:min(len(buf), n-len(got))])
		got = append(got, buf[:k]...)
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			return got, err
		}
	}
	return got, nil
}

func TestTransferBitIdentical(t *testing.T) {
	const size = 1 << 20
	tests := []struct {
		name      string
		toPort    bool // the engine (master) writes, the port reads
		chunkSize int
	}{
		{"engine to host", true, 64 << 10},
		{"host to engine", false, 64 << 10},
		{"host to engine in small writes", false, 333},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			master, port := openPair(t, 200*time.Millisecond)
			data := make([]byte, size)
			rng := rand.New(rand.NewPCG(1, uint64(tt.chunkSize)))
			for i := range data {
				data[i] = byte(rng.Uint32())
			}
			var w io.Writer = port
			var r io.Reader = master
			if tt.toPort {
				w, r = master, port
			}
			werr := make(chan error, 1)
			go func() {
				for p := data; len(p) > 0; {
					k := min(tt.chunkSize, len(p))
					if _, err := w.Write(p[:k]); err != nil {
						werr <- err
						return
					}
					p = p[k:]
				}
				werr <- nil
			}()
			got, err := readAll(r, size, 30*time.Second)
			if err != nil {
				t.Fatalf("after %d bytes: %v", len(got), err)
			}
			if err := <-werr; err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, data) {
				i := 0
				for i < len(got) && got[i] == data[i] {
					i++
				}
				t.Fatalf("data differs at byte %d", i)
			}
		})
	}
}

func TestReadTimeout(t *testing.T) {
	const timeout = 300 * time.Millisecond
	_, port := openPair(t, timeout)
	start := time.Now()
	n, err := port.Read(make([]byte, 10))
	elapsed := time.Since(start)
	if n != 0 || !errors.Is(err, ErrTimeout) || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Read = %d, %v; want 0 and a timeout", n, err)
	}
	var te interface{ Timeout() bool }
	if !errors.As(err, &te) || !te.Timeout() {
		t.Errorf("%v has no Timeout() true", err)
	}
	if elapsed < timeout || elapsed > 2*timeout {
		t.Errorf("Read returned after %v; want between %v and %v", elapsed, timeout, 2*timeout)
	}
}

func TestReadReturnsWhatArrived(t *testing.T) {
	master, port := openPair(t, 5*time.Second)
	go func() {
		time.Sleep(150 * time.Millisecond)
		master.Write([]byte("abc"))
	}()
	start := time.Now()
	buf := make([]byte, 100)
	n, err := port.Read(buf)
	if err != nil || string(buf[:n]) != "abc" {
		t.Fatalf("Read = %q, %v", buf[:n], err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Read waited %v for bytes that came after 150 ms", d)
	}
}

func TestCloseUnblocksRead(t *testing.T) {
	_, port := openPair(t, time.Minute)
	done := make(chan error, 1)
	go func() {
		_, err := port.Read(make([]byte, 10))
		done <- err
	}()
	time.Sleep(250 * time.Millisecond) // let the Read block
	start := time.Now()
	if err := port.Close(); err != nil {
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
	if d := time.Since(start); d > time.Second {
		t.Errorf("Close and the Read's return took %v", d)
	}
	if _, err := port.Read(make([]byte, 1)); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Read after Close = %v", err)
	}
	if _, err := port.Write([]byte("x")); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Write after Close = %v", err)
	}
	if err := port.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

// TestHangup checks that a tty that hung up gives ErrHangup at once rather
// than endless timeouts.
func TestHangup(t *testing.T) {
	master, slave, err := pty.Open()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer master.Close()
	defer slave.Close()
	port, err := Open(context.Background(), Config{Path: slave.Name(), Baud: 115200, ReadTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer port.Close()
	if err := unix.IoctlSetInt(int(slave.Fd()), unix.TIOCVHANGUP, 0); err != nil {
		t.Skipf("cannot hang up the tty (needs CAP_SYS_ADMIN): %v", err)
	}
	start := time.Now()
	n, err := port.Read(make([]byte, 10))
	if n != 0 || !errors.Is(err, ErrHangup) {
		t.Fatalf("Read after hangup = %d, %v; want ErrHangup", n, err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Read took %v", d)
	}
}

func TestOpenErrors(t *testing.T) {
	_, slave, err := pty.Open()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer slave.Close()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		cfg  Config
		want string
	}{
		{"no path", context.Background(), Config{Baud: 9600}, "no device path"},
		{"unsupported baud", context.Background(), Config{Path: slave.Name(), Baud: 14400}, "baud rate 14400 is not supported"},
		{"zero baud", context.Background(), Config{Path: slave.Name()}, "baud rate 0 is not supported"},
		{"negative timeout", context.Background(), Config{Path: slave.Name(), Baud: 9600, ReadTimeout: -time.Second}, "negative read timeout"},
		{"missing device", context.Background(), Config{Path: "/dev/does-not-exist", Baud: 9600}, "no such file"},
		{"cancelled", cancelled, Config{Path: slave.Name(), Baud: 9600}, context.Canceled.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Open(tt.ctx, tt.cfg)
			if err == nil {
				p.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

// TestBaudTable checks SupportedBauds against the library itself: every
// listed speed opens, and speeds around them do not.
func TestBaudTable(t *testing.T) {
	_, slave, err := pty.Open()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer slave.Close()
	if !SupportedBaud(3000000) || !SupportedBaud(115200) {
		t.Error("3000000 or 115200 missing from the table")
	}
	for _, b := range SupportedBauds() {
		dev, err := openDevice(slave.Name(), b)
		if err != nil {
			t.Errorf("baud %d: %v", b, err)
			continue
		}
		dev.Close()
	}
	for _, b := range []int{0, 14400, 28800, 250000, 3000001, 5000000} {
		if SupportedBaud(b) {
			t.Errorf("SupportedBaud(%d) = true", b)
		}
		if dev, err := openDevice(slave.Name(), b); err == nil {
			dev.Close()
			t.Errorf("the library accepts baud %d, missing from the table", b)
		}
	}
}
