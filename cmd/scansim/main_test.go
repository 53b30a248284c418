package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tarm/serial"

	"scanmail/scan"
	"scanmail/scan/link"
	"scanmail/scan/scansim"
)

// TestPty runs scansim on a pty and scans over it the way scanmaild does:
// tarm/serial on the pty's path; with -baud, the engine sends at that
// speed, which its log says (the time it takes is not checked).
func TestPty(t *testing.T) {
	for _, tt := range []struct {
		name  string
		args  []string
		paced string
	}{
		{"unpaced", nil, "paced_baud=0"},
		{"paced", []string{"-baud", "20000000"}, "paced_baud=20000000"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stderr lockedBuffer
			testPty(t, append([]string{"-pty", "-strip", "4096"}, tt.args...), &stderr)
			if !strings.Contains(stderr.String(), tt.paced) {
				t.Errorf("log without %s:\n%s", tt.paced, stderr.String())
			}
		})
	}
}

// lockedBuffer is a log written by several goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func testPty(t *testing.T, args []string, stderr io.Writer) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, args, outW, stderr)
		outW.Close()
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("no pty path printed: %v", err)
	}
	go io.Copy(io.Discard, out)
	path := strings.Fields(line)[0]
	if !strings.HasPrefix(path, "/dev/") || !strings.Contains(line, "serial:"+path) {
		t.Fatalf("printed %q", line)
	}

	port, err := serial.OpenPort(&serial.Config{Name: path, Baud: 3000000, ReadTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	h, err := link.Dial(ctx, port, link.HostOptions{})
	if err != nil {
		port.Close()
		t.Fatal(err)
	}
	if m := h.Engine().Model; m != "scansim" {
		t.Errorf("engine model %q", m)
	}

	opts := scan.Options{Mode: scan.ModeGray8, DPI: 75, Pages: 2}
	got := scanHashes(t, h, opts)
	want := scanHashes(t, &scansim.Simulator{}, opts)
	if len(got) != 2 || len(want) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("pages over the pty differ from the simulator's: %d, %d pages", len(got), len(want))
	}
	t.Logf("link stats %+v", h.Stats())

	h.Close()
	port.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("scansim did not stop")
	}
}

type scanner interface {
	Scan(ctx context.Context, opts scan.Options) (scan.Source, error)
}

func scanHashes(t *testing.T, s scanner, opts scan.Options) [][sha256.Size]byte {
	t.Helper()
	ctx := context.Background()
	src, err := s.Scan(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var sums [][sha256.Size]byte
	for {
		p, err := src.NextPage(ctx)
		if err == io.EOF {
			return sums
		}
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		n, err := io.Copy(h, p.Data)
		if err != nil {
			t.Fatal(err)
		}
		if n != int64(p.Width*p.Height) {
			t.Errorf("page of %d bytes", n)
		}
		sums = append(sums, [sha256.Size]byte(h.Sum(nil)))
	}
}

func TestFlags(t *testing.T) {
	for _, args := range [][]string{nil, {"-pty", "-serial", "/dev/null"}, {"-pty", "extra"}, {"-nope"}} {
		var stderr bytes.Buffer
		if err := run(context.Background(), args, io.Discard, &stderr); err == nil {
			t.Errorf("%q: no error", args)
		}
		if !strings.Contains(stderr.String(), "Usage") {
			t.Errorf("%q: no usage", args)
		}
	}
}
