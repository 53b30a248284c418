package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"

	"scanmail/scan"
	"scanmail/scan/link"
	"scanmail/scan/scansim"
)

// TestSerialDuplex runs 2-sided jobs through the daemon's scanner setting
// over a real pty pair: the sides arrive front, back, front, back, each
// as the simulator made it; an engine without a duplex unit refuses the
// job in words and still scans one side.
func TestSerialDuplex(t *testing.T) {
	for _, tt := range []struct {
		name    string
		engine  link.EngineOptions
		refused string
	}{
		{"duplex unit", link.EngineOptions{Duplex: true}, ""},
		{"no duplex unit", link.EngineOptions{}, "the scanner has no duplex unit"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			sim := &scansim.Simulator{Blank: []int{2}}
			serial := servePty(t, sim, tt.engine, scansim.Faults{})
			scanner, closeScanner, err := openScanner(serial, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			defer closeScanner()

			opts := scan.Options{Mode: scan.ModeBW1, DPI: 75, Pages: 2, Duplex: true}
			got, err := readPages(ctx, scanner.Scan, opts)
			if tt.refused != "" {
				if !errors.Is(err, scan.ErrUnsupported) || !strings.Contains(err.Error(), tt.refused) {
					t.Fatalf("2-sided job: %v, want %q", err, tt.refused)
				}
				opts.Duplex = false
				if got, err := readPages(ctx, scanner.Scan, opts); err != nil || len(got) != 2 {
					t.Fatalf("1-sided job: %d pages, %v", len(got), err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want, err := readPages(ctx, sim.Scan, opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 4 || len(want) != 4 {
				t.Fatalf("%d sides, the simulator makes %d; want 4", len(got), len(want))
			}
			for i := range got {
				if got[i].Back != (i%2 == 1) || !bytes.Equal(got[i].data, want[i].data) {
					t.Errorf("side %d: back %v, same as the simulator's %v", i+1, got[i].Back, bytes.Equal(got[i].data, want[i].data))
				}
			}
		})
	}
}

type sidePage struct {
	scan.PageHeader
	data []byte
}

func readPages(ctx context.Context, scanFn func(context.Context, scan.Options) (scan.Source, error), opts scan.Options) ([]sidePage, error) {
	src, err := scanFn(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	var out []sidePage
	for {
		pg, err := src.NextPage(ctx)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		b, err := io.ReadAll(pg.Data)
		if err != nil {
			return out, err
		}
		out = append(out, sidePage{pg.PageHeader, b})
	}
}
