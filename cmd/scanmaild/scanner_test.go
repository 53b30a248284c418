package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"testing"

	"github.com/creack/pty"

	"scanmail/scan"
	"scanmail/scan/filecheck"
	"scanmail/scan/link"
	"scanmail/scan/scansim"
)

// TestSerialScanner runs jobs in every mode through the daemon's scanner
// setting, over a real pty pair: the simulated engine serves the master,
// and the daemon opens the slave as its serial port with tarm/serial. Every
// job becomes a PDF and a TIFF that independent tools accept.
func TestSerialScanner(t *testing.T) {
	ctx := context.Background()
	serial := servePty(t, &scansim.Simulator{}, link.EngineOptions{}, scansim.Faults{})
	scanner, closeScanner, err := openScanner(serial, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer closeScanner()

	for _, mode := range []scan.Mode{scan.ModeBW1, scan.ModeGray8, scan.ModeRGB24, scan.ModeJPEG} {
		for _, format := range []scan.Format{scan.FormatPDF, scan.FormatTIFF} {
			t.Run(mode.String()+"/"+format.String(), func(t *testing.T) {
				src, err := scanner.Scan(ctx, scan.Options{Mode: mode, DPI: 75, Pages: 2})
				if err != nil {
					t.Fatal(err)
				}
				doc, err := scan.CreateDocument(t.TempDir(), scan.DocumentOptions{Format: format})
				if err != nil {
					t.Fatal(err)
				}
				for {
					pg, err := src.NextPage(ctx)
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						t.Fatal(err)
					}
					if err := doc.WritePage(ctx, pg); err != nil {
						t.Fatal(err)
					}
				}
				if err := src.Close(); err != nil {
					t.Errorf("closing the job: %v", err)
				}
				if err := doc.Close(); err != nil {
					t.Fatal(err)
				}
				switch format {
				case scan.FormatPDF:
					b, err := os.ReadFile(doc.Files()[0])
					if err != nil {
						t.Fatal(err)
					}
					filecheck.PDF(t, b, 2)
				case scan.FormatTIFF:
					filecheck.TIFF(t, doc.Files()[0], 2)
				}
			})
		}
	}
}

// TestScannerSettingRefused: a bad -scanner value stops the daemon with the
// reason, before anything else starts.
func TestScannerSettingRefused(t *testing.T) {
	for _, s := range []string{"usb:1", "serial:", "serial:/dev/ttyS1?baud=12345", "spi:SPI0.0"} {
		if _, _, err := openScanner(s, slog.New(slog.DiscardHandler)); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

// servePty serves engine on the master of a new pty pair, through line's
// faults, as a scanner engine on a serial line, until the test ends; it
// returns the daemon's scanner setting for the slave.
func servePty(t *testing.T, engine link.Engine, opts link.EngineOptions, line scansim.Faults) string {
	t.Helper()
	master, slave, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- link.Serve(ctx, line.Wrap(master), engine, opts) }()
	t.Cleanup(func() {
		cancel()
		master.Close()
		<-served
		slave.Close()
	})
	return "serial:" + slave.Name() + "?baud=3000000"
}
