package link_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"scanmail/scan"
	"scanmail/scan/link"
	"scanmail/scan/scansim"
)

// TestDuplex: a 2-sided job carries front, back, front, back, each side
// marked, bit-identical to the simulator's; a one-sided job to the same
// engine has fronts only.
func TestDuplex(t *testing.T) {
	t.Parallel()
	sim := &scansim.Simulator{Blank: []int{2}}
	r := newRig(t, sim, rigOptions{engine: link.EngineOptions{Duplex: true}})
	if info := r.host.Engine(); !info.Duplex || info.Version != (link.Version{Major: link.ProtocolMajor, Minor: link.ProtocolMinor}) {
		t.Fatalf("engine %+v, want the latest protocol with duplex", info)
	}
	for _, mode := range []scan.Mode{scan.ModeGray8, scan.ModeBW1, scan.ModeRGB24, scan.ModeJPEG} {
		opts := scan.Options{Mode: mode, DPI: 75, Pages: 2, Duplex: true}
		got, err := scanAll(t, r.host, opts)
		if err != nil {
			t.Fatalf("%v: %v", mode, err)
		}
		if len(got) != 4 {
			t.Fatalf("%v: %d pages, want 2 sheets' 4 sides", mode, len(got))
		}
		src, err := sim.Scan(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range got {
			if want := i%2 == 1; p.hdr.Back != want {
				t.Errorf("%v: page %d: back %v, want %v", mode, i+1, p.hdr.Back, want)
			}
			w, err := src.NextPage(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			want, _ := io.ReadAll(w.Data)
			if !bytes.Equal(p.data, want) {
				t.Errorf("%v: page %d differs from the simulator's", mode, i+1)
			}
		}
		src.Close()
	}
	got, err := scanAll(t, r.host, scan.Options{Mode: scan.ModeGray8, DPI: 75, Pages: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].hdr.Back || got[1].hdr.Back {
		t.Errorf("one-sided job: %d pages, backs %v %v", len(got), got[0].hdr.Back, got[1].hdr.Back)
	}
}

// TestDuplexRefused: a 2-sided job is refused in words by an engine that
// cannot scan one, before it starts; one-sided jobs still work with an
// engine from before protocol 1.1.
func TestDuplexRefused(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		engine link.EngineOptions
		want   string
	}{
		{"protocol 1.0", link.SpeakingMinor(link.EngineOptions{Duplex: true}, 0), "the scanner engine speaks link protocol 1.0, which has none"},
		{"no duplex unit", link.EngineOptions{}, "the scanner has no duplex unit"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, &scansim.Simulator{}, rigOptions{engine: tt.engine})
			_, err := scanAll(t, r.host, scan.Options{Mode: scan.ModeGray8, DPI: 75, Pages: 1, Duplex: true})
			if !errors.Is(err, scan.ErrUnsupported) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("2-sided job: %v, want %q", err, tt.want)
			}
			if n := len(r.engine.pages()); n != 0 {
				t.Errorf("the engine scanned %d pages", n)
			}
			got, err := scanAll(t, r.host, scan.Options{Mode: scan.ModeGray8, DPI: 75, Pages: 2})
			if err != nil || len(got) != 2 {
				t.Errorf("one-sided job: %d pages, %v", len(got), err)
			}
		})
	}
}
