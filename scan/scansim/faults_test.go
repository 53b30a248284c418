package scansim

import (
	"bytes"
	"io"
	"math"
	"testing"
	"time"
)

// sink is a byte stream that keeps what is written and reads from src.
type sink struct {
	bytes.Buffer
	writes int
	src    io.Reader
}

func (s *sink) Write(p []byte) (int, error) {
	s.writes++
	return s.Buffer.Write(p)
}

func (s *sink) Read(p []byte) (int, error) { return s.src.Read(p) }

func writeFrames(f Faults, n, size int) (*sink, FaultCounts) {
	s := &sink{}
	c := f.Wrap(s)
	frame := bytes.Repeat([]byte{0x55}, size)
	for range n {
		if got, err := c.Write(frame); err != nil || got != size {
			panic("write")
		}
	}
	return s, c.Counts()
}

func TestFaultsDeterministic(t *testing.T) {
	f := Faults{BitErrorRate: 1e-4, DropRate: 0.05, DupRate: 0.05, TruncateRate: 0.05, Seed: 7}
	a, ca := writeFrames(f, 500, 1000)
	b, cb := writeFrames(f, 500, 1000)
	if !bytes.Equal(a.Bytes(), b.Bytes()) || ca != cb {
		t.Fatal("same seed, different faults")
	}
	f.Seed = 8
	c, _ := writeFrames(f, 500, 1000)
	if bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Fatal("different seeds, same faults")
	}
}

func TestFaultRates(t *testing.T) {
	const n, size = 4000, 500
	tests := []struct {
		name  string
		f     Faults
		count func(FaultCounts) int64
		want  float64 // expected count
	}{
		{"bit errors", Faults{BitErrorRate: 1e-4}, func(c FaultCounts) int64 { return c.BitFlips }, 1e-4 * n * size * 8},
		{"drops", Faults{DropRate: 0.02}, func(c FaultCounts) int64 { return c.Drops }, 0.02 * n},
		{"dups", Faults{DupRate: 0.02}, func(c FaultCounts) int64 { return c.Dups }, 0.02 * n},
		{"truncations", Faults{TruncateRate: 0.02}, func(c FaultCounts) int64 { return c.Truncations }, 0.02 * n},
		{"byte drops", Faults{ByteDropRate: 1e-3}, func(c FaultCounts) int64 { return c.ByteDrops }, 1e-3 * n * size},
		{"byte dups", Faults{ByteDupRate: 1e-3}, func(c FaultCounts) int64 { return c.ByteDups }, 1e-3 * n * size},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := writeFrames(tt.f, n, size)
			got := float64(tt.count(c))
			if math.Abs(got-tt.want) > 5*math.Sqrt(tt.want) {
				t.Errorf("%v faults, want about %v", got, tt.want)
			}
			// What the counts say matches what went out.
			sent := int64(s.Len())
			switch tt.name {
			case "bit errors":
				var flips int64
				for _, b := range s.Bytes() {
					for x := b ^ 0x55; x != 0; x &= x - 1 {
						flips++
					}
				}
				if flips != c.BitFlips {
					t.Errorf("%d bits differ, %d counted", flips, c.BitFlips)
				}
			case "drops":
				if want := int64(n-c.Drops) * size; sent != want {
					t.Errorf("%d bytes out, want %d", sent, want)
				}
			case "dups":
				if want := int64(n+c.Dups) * size; sent != want || s.writes != n+int(c.Dups) {
					t.Errorf("%d bytes in %d writes out, want %d", sent, s.writes, want)
				}
			case "truncations":
				if sent >= n*size || sent <= (n-c.Truncations)*size {
					t.Errorf("%d bytes out after %d truncations", sent, c.Truncations)
				}
			case "byte drops":
				if want := int64(n*size) - c.ByteDrops; sent != want {
					t.Errorf("%d bytes out, want %d", sent, want)
				}
			case "byte dups":
				if want := int64(n*size) + c.ByteDups; sent != want {
					t.Errorf("%d bytes out, want %d", sent, want)
				}
			}
		})
	}
}

func TestFaultsStallAndIncoming(t *testing.T) {
	s := &sink{src: bytes.NewReader(bytes.Repeat([]byte{0xff}, 1<<16))}
	c := Faults{StallRate: 1, Stall: 20 * time.Millisecond, BitErrorRate: 1e-3, Incoming: true, Seed: 1}.Wrap(s)
	start := time.Now()
	c.Write([]byte("x"))
	if d := time.Since(start); d < 20*time.Millisecond {
		t.Errorf("write took %v, want a stall", d)
	}
	got, err := io.ReadAll(io.LimitReader(c, 1<<16))
	if err != nil {
		t.Fatal(err)
	}
	zeros := 0
	for _, b := range got {
		if b != 0xff {
			zeros++
		}
	}
	if zeros == 0 || c.Counts().BitFlips == 0 || c.Counts().Stalls != 1 {
		t.Errorf("incoming faults: %d damaged bytes, counts %+v", zeros, c.Counts())
	}
}
