package mailer

import (
	"bufio"
	"bytes"
	"math/rand/v2"
	"net/textproto"
	"strings"
	"testing"
)

// textprotoDot is what net/textproto's DotWriter, which go-smtp's
// Client.Data uses, writes for msg.
func textprotoDot(t *testing.T, msg string) string {
	t.Helper()
	var b bytes.Buffer
	bw := bufio.NewWriter(&b)
	w := textproto.NewWriter(bw).DotWriter()
	if _, err := w.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// dotStuffed is what dotWriter writes for msg given in the pieces chunks.
func dotStuffed(t *testing.T, chunks ...string) string {
	t.Helper()
	var b bytes.Buffer
	w := newDotWriter(&b)
	for _, c := range chunks {
		n, err := w.Write([]byte(c))
		if n != len(c) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", c, n, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestDotWriter checks dotWriter against net/textproto's DotWriter, byte
// for byte, with the message in one piece and cut in every place.
func TestDotWriter(t *testing.T) {
	tests := []struct {
		name string
		msg  string
	}{
		{"empty message", ""},
		{"one line", "Subject: scan\r\n"},
		{"no final CRLF", "Subject: scan\r\n\r\nbody"},
		{"ends with CR", "body\r"},
		{"dot first", ".hidden\r\nnext\r\n"},
		{"lines starting with a dot", "a\r\n.b\r\n..c\r\n.\r\nd\r\n"},
		{"a dot alone", ".\r\n"},
		{"a dot alone, no CRLF", "."},
		{"a dot alone in the middle", "a\r\n.\r\nb\r\n"},
		{"dot after a dot line", "a\r\n.\r\n.\r\n"},
		{"dot not at a line start", "a.b\r\nc.\r\n"},
		{"bare LF", "a\nb\n"},
		{"bare LF then dot", "a\n.b\n"},
		{"LF first", "\n.a"},
		{"CRLF first", "\r\n.a"},
		{"bare CR", "a\rb\r\n"},
		{"bare CR then dot", "a\r.b\r\n"},
		{"empty lines", "\r\n\r\n\r\n"},
		{"dots only", "...\r\n....\r\n"},
		{"base64 lines", strings.Repeat(strings.Repeat("QUJD", 19)+"\r\n", 50) + "QUJD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := textprotoDot(t, tt.msg)
			if got := dotStuffed(t, tt.msg); got != want {
				t.Errorf("in one piece:\n got %q\nwant %q", got, want)
			}
			// Every cut into two, which puts one between "\r" and "\n",
			// and between "\n" and ".".
			for i := 0; i <= len(tt.msg); i++ {
				if got := dotStuffed(t, tt.msg[:i], tt.msg[i:]); got != want {
					t.Fatalf("cut at %d (%q | %q):\n got %q\nwant %q", i, tt.msg[:i], tt.msg[i:], got, want)
				}
			}
			// A byte at a time.
			bytes := strings.Split(tt.msg, "")
			if got := dotStuffed(t, bytes...); got != want {
				t.Errorf("a byte at a time:\n got %q\nwant %q", got, want)
			}
		})
	}
}

// TestDotWriterRandom compares with net/textproto's DotWriter on random
// messages of the bytes that matter, in random pieces.
func TestDotWriterRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "..\r\n\r\nab"
	for range 2000 {
		msg := make([]byte, rng.IntN(40))
		for i := range msg {
			msg[i] = alphabet[rng.IntN(len(alphabet))]
		}
		s := string(msg)
		if strings.Contains(s, "\r\r") {
			continue // where the two differ on purpose (TestDotWriterCRs)
		}
		var chunks []string
		for rest := s; len(rest) > 0; {
			k := 1 + rng.IntN(len(rest))
			chunks, rest = append(chunks, rest[:k]), rest[k:]
		}
		if got, want := dotStuffed(t, chunks...), textprotoDot(t, s); got != want {
			t.Fatalf("%q in pieces %q:\n got %q\nwant %q", s, chunks, got, want)
		}
	}
}

// TestDotWriterCRs: an LF after two CRs gets no CR of its own, as
// wireCounter counts the message's size; DotWriter adds one.
func TestDotWriterCRs(t *testing.T) {
	const msg = "a\r\r\nb\r\n"
	got := dotStuffed(t, msg)
	if want := "a\r\r\nb\r\n.\r\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	var c wireCounter
	c.Write([]byte(msg))
	if int(c.n) != len(got)-len(".\r\n") {
		t.Errorf("wireCounter counts %d bytes, dotWriter writes %d before the final dot", c.n, len(got)-len(".\r\n"))
	}
}

// BenchmarkDotWriter compares with net/textproto's DotWriter on base64
// lines, what a scan's message mostly is.
func BenchmarkDotWriter(b *testing.B) {
	msg := []byte(strings.Repeat(strings.Repeat("QUJD", 19)+"\r\n", 1024))
	b.Run("dotWriter", func(b *testing.B) {
		b.SetBytes(int64(len(msg)))
		w := newDotWriter(discardWriter{})
		for b.Loop() {
			w.Write(msg)
		}
	})
	b.Run("textproto", func(b *testing.B) {
		b.SetBytes(int64(len(msg)))
		w := textproto.NewWriter(bufio.NewWriter(discardWriter{})).DotWriter()
		for b.Loop() {
			w.Write(msg)
		}
	})
}

type discardWriter struct{}

func (discardWriter) Write(p []byte) (int, error) { return len(p), nil }
